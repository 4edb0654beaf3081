import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import pg from 'pg';
import { JOB_EVENTS_CHANNEL } from '../src/events/notifier';
import { caller, type Caller } from './fanout/ipc';

/**
 * S4, workers' writes: `reportJobProgress`, each worker on its own PROCESSING job of one
 * workspace, closed loop (a worker sends its next report when the last is answered), every
 * report raising its job's progress (an unchanged value is only a heartbeat: no event).
 *
 * The service's workers each sign in with their own JOBS-scoped API key and start their job
 * through the API. The floor is the same transaction in plain SQL, one pg client per worker,
 * statement for statement what the mutation writes (jobs.data.ts lockJob and updateJob,
 * job-event-log.ts appendJobEvent, the feed's NOTIFY) with none of the API around it.
 */

export interface WriteResult {
  workers: number;
  seconds: number;
  reports: number;
  rps: number;
  p50: number;
  p99: number;
  failures: number;
  /** CPU of this process (the load generator; for the floor, the pg clients) per report. */
  clientCpuMsPerReport: number;
}

/**
 * `workers` closed loops of `step(worker, n)` (n counts from 1). Only the window
 * [warmup, warmup + seconds] is measured; `probe` is read at its two edges.
 */
export async function closedLoop<P>(
  workers: number,
  warmup: number,
  seconds: number,
  step: (worker: number, n: number) => Promise<void>,
  probe: () => Promise<P>,
): Promise<WriteResult & { before: P; after: P }> {
  const latencies: number[] = [];
  let measuring = false;
  let stopping = false;
  let reports = 0;
  let failures = 0;
  let firstError: unknown;
  const loop = async (worker: number) => {
    for (let n = 1; !stopping; n++) {
      const t0 = process.hrtime.bigint();
      try {
        await step(worker, n);
        if (measuring) {
          reports++;
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      } catch (error) {
        failures++;
        firstError ??= error;
        await new Promise((r) => setTimeout(r, 10)); // a failing target is not hammered
      }
    }
  };
  const running = Array.from({ length: workers }, (_, w) => loop(w));
  await new Promise((r) => setTimeout(r, warmup * 1000));
  const before = await probe();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  measuring = true;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  const after = await probe();
  stopping = true;
  await Promise.all(running);
  if (failures && !reports) throw firstError;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
  return {
    workers,
    seconds: elapsed,
    reports,
    rps: reports / elapsed,
    p50: pct(50),
    p99: pct(99),
    failures,
    clientCpuMsPerReport: reports ? (cpu.user + cpu.system) / 1000 / reports : NaN,
    before,
    after,
  };
}

/** Each report raises its job's progress by this much (0.000008 after 8 s at 1,000 reports a second). */
const STEP = 1e-6;
const progressOf = (n: number) => Math.round(n * STEP * 1e9) / 1e9;

// ---------------------------------------------------------------- the SQL floor

/** The mutation's statements (jobs.data.ts, job-event-log.ts, notifier.ts), in its order. */
const LOCK_JOB = `SELECT j.id, j.workspace_id, j.type, j.status, j.progress, j.user_id, j.project_id, j.dataset_id, j.folder_id,
       j.error_message, j.error_details, j.retry_of, j.cancelled_by, j.api_key_id, j.heartbeat_seconds, j.last_report_at,
       j.created_at, j.updated_at, j.finished_at
  FROM jobs j WHERE j.id = $1 FOR NO KEY UPDATE`;
const UPDATE_JOB = `UPDATE jobs AS j SET progress = $2, updated_at = now(), last_report_at = now() WHERE j.id = $1
  RETURNING j.id, j.workspace_id, j.type, j.status, j.progress, j.user_id, j.project_id, j.dataset_id, j.folder_id,
            j.error_message, j.error_details, j.retry_of, j.cancelled_by, j.api_key_id, j.heartbeat_seconds, j.last_report_at,
            j.created_at, j.updated_at, j.finished_at`;
const APPEND_EVENT = `WITH bumped AS (UPDATE workspaces SET last_event_seq = last_event_seq + 1 WHERE id = $1 RETURNING last_event_seq)
  INSERT INTO job_events (workspace_id, seq, job_id, job_user_id, job_type, status, progress, occurred_at)
  SELECT $1, bumped.last_event_seq, $2, $3, $4, $5, $6, now() FROM bumped
  RETURNING seq`;

/** One progress report in plain SQL: BEGIN; lock; update; next seq + event; NOTIFY; COMMIT (6 round trips). */
async function floorReport(client: pg.Client, jobId: string, progress: number): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query({ name: 's4-lock', text: LOCK_JOB, values: [jobId] });
    const job = (await client.query({ name: 's4-update', text: UPDATE_JOB, values: [jobId, progress] })).rows[0];
    const { seq } = (
      await client.query({ name: 's4-event', text: APPEND_EVENT, values: [job.workspace_id, jobId, job.user_id, job.type, job.status, job.progress] })
    ).rows[0];
    await client.query({ name: 's4-notify', text: 'SELECT pg_notify($1, $2)', values: [JOB_EVENTS_CHANNEL, `${job.workspace_id}:${seq}`] });
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** The floor with `workers` clients, each on one of `jobIds` (their progress is set back to 0 first). */
export async function floorWrites<P>(
  url: string,
  jobIds: string[],
  workers: number,
  warmup: number,
  seconds: number,
  probe: () => Promise<P>,
): Promise<WriteResult & { before: P; after: P }> {
  if (jobIds.length < workers) throw new Error(`the floor needs ${workers} PROCESSING jobs, the seed has ${jobIds.length}`);
  const clients = await Promise.all(
    Array.from({ length: workers }, async () => {
      const c = new pg.Client({ connectionString: url, application_name: 'bench-s4-floor' });
      await c.connect();
      return c;
    }),
  );
  try {
    await clients[0].query(`UPDATE jobs SET progress = 0 WHERE id = ANY($1::uuid[])`, [jobIds.slice(0, workers)]);
    return await closedLoop(workers, warmup, seconds, (w, n) => floorReport(clients[w], jobIds[w], progressOf(n)), probe);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}

// ---------------------------------------------------------------- the service

const START_JOB = `mutation S4Start($input: StartJobInput!) { startJob(input: $input) { id status progress } }`;
const REPORT = `mutation S4Report($input: JobProgressInput!) { reportJobProgress(input: $input) { id status progress } }`;
const CREATE_KEY = `mutation S4Key($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`;

/** What a dashboard subscribes to (the fan-out bench's subscription): a write's cost includes its delivery. */
export const FEED_QUERY = `subscription($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) {
    cursor status progress occurredAt
    job { id type status progress createdAt updatedAt user { id email name } project { id name } dataset { id name } folder { id name } }
  }
}`;

/** A keep-alive connection of one worker, and its JSON POSTs. */
class Worker {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });

  constructor(
    private readonly url: string,
    private readonly key: string,
  ) {}

  post(query: string, variables: Record<string, unknown>): Promise<any> {
    const body = JSON.stringify({ query, variables });
    return new Promise((resolve, reject) => {
      const req = request(
        this.url,
        { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${this.key}` } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c) => (text += c)).on('error', reject);
          res.on('end', () => {
            try {
              const answer = JSON.parse(text);
              if (res.statusCode !== 200 || answer.errors) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
              else resolve(answer.data);
            } catch (error) {
              reject(error);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export interface ServiceWritesSetup {
  /** The service's /graphql. */
  url: string;
  /** The ADMIN's JWT: makes the keys, and signs the subscribers in. */
  adminToken: string;
  workspaceId: string;
  projectId: string;
}

/** The JOBS-scoped keys of `n` workers (made once per service, by the ADMIN). */
export async function makeWorkerKeys(setup: ServiceWritesSetup, n: number): Promise<string[]> {
  const admin = new Worker(setup.url, setup.adminToken);
  try {
    const keys: string[] = [];
    for (let i = 0; i < n; i++) {
      const data = await admin.post(CREATE_KEY, { input: { workspaceId: setup.workspaceId, name: `bench worker ${i + 1}`, scopes: ['JOBS'] } });
      keys.push(data.createApiKey.key);
    }
    return keys;
  } finally {
    admin.close();
  }
}

/** `workers` workers, each with its key, start a job each through the API, then report progress on it. */
export async function serviceWrites<P>(
  setup: ServiceWritesSetup,
  keys: string[],
  workers: number,
  warmup: number,
  seconds: number,
  probe: () => Promise<P>,
): Promise<WriteResult & { before: P; after: P }> {
  const pool = keys.slice(0, workers).map((key) => new Worker(setup.url, key));
  try {
    const jobIds = await Promise.all(
      pool.map(async (w) => (await w.post(START_JOB, { input: { workspaceId: setup.workspaceId, type: 'MODEL_TRAINING', projectId: setup.projectId } })).startJob.id as string),
    );
    return await closedLoop(
      workers,
      warmup,
      seconds,
      async (w, n) => {
        const progress = progressOf(n);
        const job = (await pool[w].post(REPORT, { input: { jobId: jobIds[w], progress } })).reportJobProgress;
        if (job.id !== jobIds[w] || job.progress !== progress || job.status !== 'PROCESSING') throw new Error(`unexpected answer ${JSON.stringify(job)}`);
      },
      probe,
    );
  } finally {
    for (const w of pool) w.close();
  }
}

/** The feed's subscribers, in a process of their own (bench/fanout/clients.ts), connected while the service is measured. */
export async function openSubscribers(setup: ServiceWritesSetup, n: number): Promise<{ count(): Promise<number>; close(): Promise<void> }> {
  const child = fork(join(__dirname, 'fanout', 'clients.js'), [], { stdio: 'inherit' });
  const clients: Caller = caller(child);
  const ws = setup.url.replace(/^http/, 'ws');
  await clients.call('feed', { url: ws, tokens: [setup.adminToken], workspaceId: setup.workspaceId, after: null, query: FEED_QUERY, n });
  return {
    count: async () => (await clients.call<{ received: number }>('count')).received,
    close: async () => {
      await clients.call('closeAll').catch(() => undefined);
      child.kill();
    },
  };
}
