import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { Client as PgClient } from 'pg';
import { mintToken } from '../../src/dev-token';
import { mutate, runWorker, seqOf, Subscriber, type AttemptLog, type WorkerStats } from './clients';
import { CHECK_FALL, CHECK_INTER_MS, startHaproxy, type Balancer } from './haproxy';
import { Instance } from './instances';
import { checkFeed, longestGap, lostWrites, percentile, readLog } from './verify';

/**
 * The scale test (issue 19; `npm run test:scale`, not part of `npm test`): HAProxy in front of
 * three instances of the built service on one PostgreSQL, Redis for the shared limits. Through
 * the balancer only, 300 feed subscribers and 20 workers run for SCALE_SECONDS; at 1/3 of it
 * one instance is SIGKILLed (a supervisor starts it again 5 s later), at 2/3 the other two are
 * restarted one by one (SIGTERM, the new process on the same port ready, the next). Prints one
 * summary line (and test-output/scale-summary.json); exits 1 on any lost or duplicated event
 * or any lost acknowledged write. docs/deploy.md reads its figures.
 */

const env = process.env;
const SECONDS = Number(env.SCALE_SECONDS ?? 60);
const RATE = Number(env.SCALE_RATE ?? 200); // progress reports (and starts, completions) per second, all workers
const SUBSCRIBERS = Number(env.SCALE_SUBSCRIBERS ?? 300);
const ADMIN_SUBSCRIBERS = Number(env.SCALE_ADMIN_SUBSCRIBERS ?? 30);
const WORKERS = 20;
const MEMBERS = 8; // each runs 2 workers; the ADMIN runs the other 4
const STEPS = 40; // reports per job before it completes
const RESTART_AFTER_KILL_MS = 5_000; // a supervisor's restart delay
const BASE_PORT = Number(env.SCALE_BASE_PORT ?? 18400);
const SECRET = 'scale-test-secret-that-is-long-enough-for-hs256';
const PG_URL = env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const OUT = resolve(__dirname, '../../../test-output');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Phase = 'before' | 'kill' | 'restarts' | 'after';

async function main(): Promise<number> {
  mkdirSync(`${OUT}/scale`, { recursive: true });
  const dbName = `wsapi_scale_${process.pid}`;
  const admin = new PgClient({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const dbUrl = `${PG_URL.replace(/\/[^/]*$/, '')}/${dbName}`;
  const instanceEnv = {
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    REDIS_URL,
    AUTH_JWT_SECRET: SECRET,
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_POINTS: '1000000000',
    SHUTDOWN_DRAIN_MS: env.SHUTDOWN_DRAIN_MS ?? '1500',
    // Its clients' IP is HAProxy's: trust its X-Forwarded-For (one hop).
    TRUST_PROXY: '1',
    WS_MAX_CONNECTIONS_PER_USER: '10000',
    // A request's Idempotency-Key claim left by a killed instance is free again after this + 5 s.
    REQUEST_TIMEOUT_MS: '5000',
    PUBLIC_URL: `http://127.0.0.1:${BASE_PORT}`,
  };
  const instances = [1, 2, 3].map((i) => new Instance(`i${i}`, BASE_PORT + i, instanceEnv, `${OUT}/scale/i${i}.log`));
  let balancer: Balancer | undefined;
  const subscribers: Subscriber[] = [];
  try {
    for (const instance of instances) instance.start();
    await Promise.all(instances.map((i) => i.ready()));
    balancer = await startHaproxy({
      port: BASE_PORT,
      servers: instances.map((i) => ({ name: i.name, port: i.port })),
      dir: `${OUT}/scale`,
      log: createWriteStream(`${OUT}/scale/haproxy.log`),
    });
    const lb = balancer;
    await until(async () => [...(await lb.status()).values()].every((s) => s === 'UP'), 10_000, 'HAProxy to see every instance UP');
    const url = `http://127.0.0.1:${BASE_PORT}/graphql`;
    const wsUrl = `ws://127.0.0.1:${BASE_PORT}/graphql`;

    // ---- Set-up, through the balancer: a workspace, its ADMIN, MEMBERs, projects, JOBS keys.
    const setupLog: AttemptLog = { failed: () => undefined, waiting: () => undefined };
    const call = async (token: string, query: string, variables: Record<string, unknown> = {}) => {
      const outcome = await mutate(url, token, query, variables, setupLog);
      if (outcome.kind !== 'ok') throw new Error(`set-up failed: ${JSON.stringify(outcome)} for ${query}`);
      return outcome.data;
    };
    const person = async (email: string) => {
      const token = await mintToken(SECRET, { sub: `scale|${email}`, email });
      const { viewer } = await call(token, `{ viewer { id } }`);
      return { id: viewer.id as string, email, token };
    };
    const run = randomUUID().slice(0, 8);
    const owner = await person(`admin-${run}@scale.test`);
    const workspaceId: string = (await call(owner.token, `mutation($i: CreateWorkspaceInput!) { createWorkspace(input: $i) { id } }`, { i: { name: `scale ${run}` } }))
      .createWorkspace.id;
    const memberEmails = Array.from({ length: MEMBERS }, (_, i) => `member${i}-${run}@scale.test`);
    await call(owner.token, `mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { id } }`, { i: { workspaceId, emails: memberEmails, role: 'MEMBER' } });
    const members = await Promise.all(
      memberEmails.map(async (email) => {
        const m = await person(email);
        await call(m.token, `mutation($w: ID!) { acceptInvitation(workspaceId: $w) { id } }`, { w: workspaceId });
        return m;
      }),
    );
    const workerSetups = await Promise.all(
      Array.from({ length: WORKERS }, async (_, w) => {
        const who = w < MEMBERS * 2 ? members[w % MEMBERS] : owner;
        const projectId = (await call(who.token, `mutation($i: CreateResourceInput!) { createProject(input: $i) { id } }`, { i: { workspaceId, name: `project ${w}` } }))
          .createProject.id;
        const key = (await call(who.token, `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { workspaceId, name: `worker ${w}`, scopes: ['JOBS'] } }))
          .createApiKey.key;
        return { projectId, key };
      }),
    );
    const startCursor: string = (await call(owner.token, `query($id: ID!) { workspace(id: $id) { jobs(first: 0) { eventCursor } } }`, { id: workspaceId })).workspace.jobs
      .eventCursor;
    const startSeq = seqOf(startCursor);

    // ---- 300 subscribers: ADMIN ones see every job, MEMBER ones their own.
    for (let s = 0; s < SUBSCRIBERS; s++) {
      const viewer = s < ADMIN_SUBSCRIBERS ? owner : members[s % MEMBERS];
      subscribers.push(new Subscriber(viewer.id, viewer === owner, wsUrl, viewer.token, workspaceId, startCursor));
    }
    for (const s of subscribers) s.start();
    await until(async () => (await activeSubscriptions(instances)) >= SUBSCRIBERS, 60_000, 'every subscription to be open');
    const spread = await openSockets(instances);

    // ---- The load, and the timeline.
    const t0 = Date.now();
    const ms = SECONDS * 1000;
    const killAt = t0 + ms / 3;
    const restartAt = t0 + (2 * ms) / 3;
    let restartsDone = Infinity;
    const phaseOf = (at: number): Phase => (at < killAt ? 'before' : at < restartAt ? 'kill' : at < restartsDone ? 'restarts' : 'after');
    const stats: WorkerStats = { acks: [], gaveUp: [], failedAttempts: [], inProgressWaits: 0, reports: 0, reportMs: [] };
    const workers = workerSetups.map((w) =>
      runWorker({ url, key: w.key, workspaceId, projectId: w.projectId, perSecond: RATE / WORKERS, until: t0 + ms, steps: STEPS, stats }),
    );
    const watch = watchBalancer(lb, t0 + ms + 5_000);
    // CPU of each instance and of this (client) process in the steady state before the kill.
    const cpuFrom = { at: 0, instances: [] as number[], client: process.cpuUsage() };
    const cpu = (async () => {
      await sleep(2_000);
      Object.assign(cpuFrom, { at: Date.now(), instances: await cpuSeconds(instances), client: process.cpuUsage() });
      await sleep(killAt - 200 - Date.now());
      const seconds = (Date.now() - cpuFrom.at) / 1000;
      const now = await cpuSeconds(instances);
      const client = process.cpuUsage(cpuFrom.client);
      return { instances: now.map((c, i) => round((c - cpuFrom.instances[i]) / seconds)), client: round((client.user + client.system) / 1e6 / seconds) };
    })();
    const timeline = (async () => {
      await sleep(killAt - Date.now());
      const killed = instances[0];
      killed.kill();
      const killedAt = Date.now();
      await killed.gone();
      await sleep(RESTART_AFTER_KILL_MS);
      killed.start();
      await killed.ready();
      await sleep(Math.max(0, restartAt - Date.now()));
      const restarts: number[] = [];
      for (const instance of instances.slice(1)) {
        const from = Date.now();
        await instance.stop();
        instance.start();
        await instance.ready();
        await until(async () => (await lb.status()).get(instance.name) === 'UP', 20_000, `HAProxy to see ${instance.name} UP again`);
        restarts.push(Date.now() - from);
      }
      restartsDone = Date.now();
      return { killedAt, restarts };
    })();
    const { killedAt, restarts } = await timeline;
    await Promise.all(workers);
    const loadEnd = Date.now();
    const transitions = await watch;
    const coresBefore = await cpu;

    // ---- Every subscriber catches up with what it may see; then compare with the log.
    const db = new PgClient({ connectionString: dbUrl });
    await db.connect();
    const log = await readLog(db, workspaceId);
    const lastVisible = (s: Subscriber) => {
      for (let i = log.length - 1; i >= 0; i--) if (s.admin || log[i].jobUserId === s.viewerUserId) return log[i].seq;
      return -1;
    };
    await until(async () => subscribers.every((s) => s.lastSeq() >= lastVisible(s)), 60_000, 'every subscriber to catch up').catch(() => undefined);
    await sleep(500); // anything more (a duplicate) arrives now
    const checks = subscribers.map((s) => checkFeed(s, startSeq, log));
    const writes = lostWrites(stats.acks, log);
    const {
      rows: [jobs],
    } = await db.query(`SELECT count(*)::int AS n FROM jobs WHERE workspace_id = $1`, [workspaceId]);
    await db.end();

    // ---- Figures.
    const phases: Phase[] = ['before', 'kill', 'restarts', 'after'];
    const lagByPhase = Object.fromEntries(
      phases.map((p) => [p, round(percentile(subscribers.flatMap((s) => s.received.filter((r) => phaseOf(r.occurredAt) === p).map((r) => r.receivedAt - r.occurredAt)), 99))]),
    );
    const failedByPhase = Object.fromEntries(phases.map((p) => [p, stats.failedAttempts.filter((f) => phaseOf(f.at) === p).length]));
    const gaps = subscribers.map((s) => longestGap(s.received, t0 + 2_000, t0 + ms));
    const adminGaps = gaps.filter((_, i) => subscribers[i].admin);
    const down = transitions.find((t) => t.server === 'i1' && t.status.startsWith('DOWN') && t.at >= killedAt);
    const reportsAcked = stats.acks.filter((a) => a.kind === 'report').length;
    const eventsInLog = log.filter((e) => e.seq > startSeq).length;
    const summary = {
      at: new Date().toISOString(),
      seconds: SECONDS,
      instances: instances.length,
      subscribers: { total: SUBSCRIBERS, admin: ADMIN_SUBSCRIBERS, member: SUBSCRIBERS - ADMIN_SUBSCRIBERS, openSocketsPerInstance: spread },
      workers: WORKERS,
      targetRate: RATE,
      reportsPerSecondHeld: round(reportsAcked / ((loadEnd - t0) / 1000)),
      writesPerSecondHeld: round(stats.acks.length / ((loadEnd - t0) / 1000)),
      acknowledgedWrites: stats.acks.length,
      acknowledgedByConflictCommitted: stats.acks.filter((a) => a.byConflict).length,
      lostWrites: writes.lost.length,
      writesDoneTwice: writes.duplicated,
      jobsInDatabase: jobs.n,
      jobsAcknowledged: stats.acks.filter((a) => a.kind === 'start').length,
      eventsInLog,
      deliveriesExpected: checks.reduce((n, c) => n + c.expected, 0),
      deliveriesReceived: checks.reduce((n, c) => n + c.received, 0),
      deliveriesPerSecond: round(checks.reduce((n, c) => n + c.received, 0) / ((loadEnd - t0) / 1000)),
      subscribersExact: checks.filter((c) => c.exact).length,
      eventsMissing: checks.reduce((n, c) => n + c.missing, 0),
      eventsDuplicated: checks.reduce((n, c) => n + c.duplicated, 0),
      eventsOutOfOrder: checks.reduce((n, c) => n + c.outOfOrder, 0),
      eventsForeignOrWrong: checks.reduce((n, c) => n + c.foreign, 0),
      subscriptionErrors: subscribers.reduce((n, s) => n + s.errors.length, 0),
      reconnects: subscribers.reduce((n, s) => n + s.reconnects, 0),
      mutationAttemptsFailed: { total: stats.failedAttempts.length, ...failedByPhase },
      failureKinds: countBy(stats.failedAttempts.map((f) => f.why)),
      inProgressWaits: stats.inProgressWaits,
      reportAnswerMs: { p50: round(percentile(stats.reportMs, 50)), p99: round(percentile(stats.reportMs, 99)) },
      mutationsGivenUp: stats.gaveUp.length,
      givenUpReasons: countBy(stats.gaveUp.map((g) => g.reason)),
      // ADMIN subscribers see every event: their gap is the feed's. A MEMBER's also holds its own workers' stalls.
      gapMs: { max: round(Math.max(...gaps)), p99: round(percentile(gaps, 99)), p50: round(percentile(gaps, 50)) },
      adminGapMs: { max: round(Math.max(...adminGaps)), p99: round(percentile(adminGaps, 99)) },
      p99LagMs: lagByPhase,
      killedDownAfterMs: down ? down.at - killedAt : null,
      healthCheck: { interMs: CHECK_INTER_MS, fall: CHECK_FALL },
      rollingRestartMs: restarts,
      balancerTransitions: transitions.map((t) => ({ ms: t.at - t0, server: t.server, status: t.status })),
      coresBefore,
      loadAverage: os.loadavg().map(round),
    };
    writeFileSync(`${OUT}/scale-summary.json`, JSON.stringify(summary, null, 2) + '\n');
    const s = summary;
    console.log(
      `scale: ${s.instances} instances, ${s.subscribers.total} subscribers (${s.subscribers.admin} ADMIN), ${s.workers} workers, ${s.seconds} s` +
        ` | writes acked ${s.acknowledgedWrites} (${s.writesPerSecondHeld}/s, reports ${s.reportsPerSecondHeld}/s of ${RATE}), lost ${s.lostWrites}, done twice ${s.writesDoneTwice}` +
        ` | events ${s.eventsInLog}, deliveries ${s.deliveriesReceived}/${s.deliveriesExpected} (${s.deliveriesPerSecond}/s), exact ${s.subscribersExact}/${SUBSCRIBERS}` +
        ` (missing ${s.eventsMissing}, duplicated ${s.eventsDuplicated}, out of order ${s.eventsOutOfOrder}, wrong ${s.eventsForeignOrWrong})` +
        ` | failed attempts ${s.mutationAttemptsFailed.total} (before ${failedByPhase.before}, kill ${failedByPhase.kill}, restarts ${failedByPhase.restarts}, after ${failedByPhase.after}), given up ${s.mutationsGivenUp}` +
        ` | gap max ${s.gapMs.max} ms p99 ${s.gapMs.p99} ms (ADMIN feeds max ${s.adminGapMs.max} ms) | p99 lag ms before ${lagByPhase.before} kill ${lagByPhase.kill} restarts ${lagByPhase.restarts} after ${lagByPhase.after}` +
        ` | killed instance DOWN after ${s.killedDownAfterMs} ms (inter ${CHECK_INTER_MS} ms x fall ${CHECK_FALL}) | reconnects ${s.reconnects}`,
    );
    const failed = s.lostWrites > 0 || s.writesDoneTwice > 0 || s.subscribersExact < SUBSCRIBERS || s.acknowledgedWrites === 0 || s.jobsInDatabase < s.jobsAcknowledged;
    if (failed) console.error('scale test FAILED: a lost or duplicated event, or a lost acknowledged write (test-output/scale-summary.json)');
    return failed ? 1 : 0;
  } finally {
    await Promise.all(subscribers.map((s) => s.close().catch(() => undefined)));
    await balancer?.stop().catch(() => undefined);
    await Promise.all(instances.map((i) => i.stop().catch(() => undefined)));
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch((e) => console.error(`could not drop ${dbName}: ${e.message}`));
    await admin.end();
  }
}

/** Feed subscriptions open across the instances, from their /metrics. */
async function activeSubscriptions(instances: Instance[]): Promise<number> {
  let total = 0;
  for (const i of instances) {
    const text = await fetch(`http://127.0.0.1:${i.port}/metrics`).then((r) => r.text()).catch(() => '');
    const m = /^wsapi_feed_subscriptions\s+(\d+)/m.exec(text);
    total += m ? Number(m[1]) : 0;
  }
  return total;
}

async function cpuSeconds(instances: Instance[]): Promise<number[]> {
  return Promise.all(
    instances.map(async (i) => {
      const text = await fetch(`http://127.0.0.1:${i.port}/metrics`).then((r) => r.text()).catch(() => '');
      const m = /^wsapi_process_cpu_seconds_total\s+([\d.e+-]+)/m.exec(text);
      return m ? Number(m[1]) : NaN;
    }),
  );
}

async function openSockets(instances: Instance[]): Promise<number[]> {
  return Promise.all(
    instances.map(async (i) => {
      const text = await fetch(`http://127.0.0.1:${i.port}/metrics`).then((r) => r.text()).catch(() => '');
      const m = /^wsapi_websocket_connections\s+(\d+)/m.exec(text);
      return m ? Number(m[1]) : -1;
    }),
  );
}

/** Every change of a server's status in HAProxy, polled from the stats socket every 50 ms. */
async function watchBalancer(lb: Balancer, until: number): Promise<Array<{ at: number; server: string; status: string }>> {
  const changes: Array<{ at: number; server: string; status: string }> = [];
  const last = new Map<string, string>();
  while (Date.now() < until) {
    const status = await lb.status().catch(() => new Map<string, string>());
    for (const [server, s] of status) {
      if (last.get(server) !== s) changes.push({ at: Date.now(), server, status: s });
      last.set(server, s);
    }
    await sleep(50);
  }
  return changes;
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const round = (n: number) => (Number.isFinite(n) ? Math.round(n * 10) / 10 : n);
const countBy = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ((acc[v] = (acc[v] ?? 0) + 1), acc), {});

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
