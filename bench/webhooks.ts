import 'reflect-metadata';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import pino from 'pino';
import { startService } from '../src/bootstrap';
import { loadConfig } from '../src/config';
import { mintToken } from '../src/dev-token';
import { PG_ADMIN_URL, withDatabase } from './config';

/**
 * `npm run bench:webhooks`: webhook delivery latency, from an event's commit to the receiver
 * having its POST, at a steady rate of job events (BENCH_WEBHOOK_RATE per second, default 100)
 * for BENCH_WEBHOOK_SECONDS (default 20), on a fresh PostgreSQL database of BENCH_PG_URL,
 * one service instance, one webhook, a receiver on 127.0.0.1 answering 200 at once.
 * The start of an event is its occurredAt (the start of the transaction that wrote it, on
 * the same machine's clock), so the figure includes the commit itself.
 */
const RATE = Number(process.env.BENCH_WEBHOOK_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_WEBHOOK_SECONDS ?? 20);
const JOBS = 20; // each job reports every JOBS / RATE seconds: its progress only grows
const SECRET = 'bench-webhooks-secret-that-is-long-enough!';
const DB = 'workspace_bench_webhooks';

async function main(): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DB}`);
  const latencies: number[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      latencies.push(at - Date.parse(JSON.parse(Buffer.concat(chunks).toString()).event.occurredAt));
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const config = loadConfig({
    NODE_ENV: 'test', DATABASE_URL: withDatabase(PG_ADMIN_URL, DB), AUTH_JWT_SECRET: SECRET, PORT: '0', LOG_LEVEL: 'silent',
    SEED_DEMO: 'false', RATE_LIMIT_POINTS: '0', WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const service = await startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });
  const token = await mintToken(SECRET, { sub: 'bench|webhooks', email: 'bench@webhooks.test' });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const gql = (query: string, variables: Record<string, unknown>) =>
    new Promise<any>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: service.port, path: '/graphql', method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString());
          if (body.errors) reject(new Error(JSON.stringify(body.errors)));
          else resolve(body.data);
        });
      });
      req.on('error', reject);
      req.end(JSON.stringify({ query, variables }));
    });
  try {
    const workspaceId = (await gql(`mutation { createWorkspace(input: { name: "Bench" }) { id } }`, {})).createWorkspace.id;
    const projectId = (await gql(`mutation($input: CreateResourceInput!) { createProject(input: $input) { id } }`, { input: { workspaceId, name: 'P' } })).createProject.id;
    const jobIds: string[] = [];
    for (let i = 0; i < JOBS; i++) jobIds.push((await gql(`mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input: { workspaceId, type: 'MODEL_TRAINING', projectId } })).startJob.id);
    const { port } = receiver.address() as AddressInfo;
    await gql(`mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret } }`, { input: { workspaceId, url: `http://127.0.0.1:${port}/hook` } });
    const total = RATE * SECONDS;
    const perJob = Math.ceil(total / JOBS);
    console.log(`webhooks: ${total} events at ${RATE}/s for ${SECONDS} s (${JOBS} jobs reporting progress), one webhook`);
    const start = Date.now();
    const chains: Promise<unknown>[] = jobIds.map(() => Promise.resolve());
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / RATE;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const job = jobIds[i % JOBS];
      const step = Math.floor(i / JOBS) + 1;
      // After the job's previous report (its progress only grows), however long that took.
      chains[i % JOBS] = chains[i % JOBS].then(() =>
        gql(`mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id } }`, { input: { jobId: job, progress: step / (perJob + 1) } }),
      );
    }
    await Promise.all(chains);
    const offered = total / ((Date.now() - start) / 1000);
    const deadline = Date.now() + 60_000;
    while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const sorted = [...latencies].sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
    console.log(`webhooks: offered ${offered.toFixed(1)} events/s; delivered ${latencies.length}/${total}`);
    console.log(`webhooks: latency from commit to receiver: p50 ${pct(50)} ms, p90 ${pct(90)} ms, p99 ${pct(99)} ms, max ${sorted[sorted.length - 1]} ms`);
    console.log(`webhooks: sender stats ${JSON.stringify(service.services.webhooks.stats)}`);
  } finally {
    agent.destroy();
    await service.close();
    receiver.close();
    await admin.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await admin.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
