import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { caller, type Caller } from './ipc';

/**
 * The fan-out benchmark: one job event to 1k, 5k and 10k subscribers of the Activity Center
 * feed, against a bare `ws` broadcast of the same bytes to as many sockets, in the same run,
 * on loopback. Run: `npx tsc -p . ; node dist/bench/fanout/run.js` (bench/fanout/README.md).
 *
 * Five processes: the service (server.ts `setup`), a bare ws server (server.ts `listen`), their
 * subscribers (clients.ts, one process each) and this driver. Per size, both sets of sockets are
 * open at once and events alternate between them (feed, bare, feed, ...), so both see the same
 * machine load. For each event: the CPU of the measured process from the trigger until every
 * subscriber has it, and each delivery's latency from the commit (bare: from the start of the
 * broadcast loop). The feed's CPU per delivery subtracts the cost of the same job change with
 * no subscriber (the mutation itself, measured first).
 */
const SIZES = (process.env.FANOUT_SIZES ?? '1000,5000,10000').split(',').map(Number).filter((n) => n > 0);
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 15);
/**
 * Unmeasured events per size and target. The per-event code (reading the log, rendering once)
 * runs once an event: three left the first size measuring it before V8 had optimised it (1k
 * subscribers measured twice in one run: 1.62x, then 1.37x).
 */
const WARMUP = Number(process.env.FANOUT_WARMUP ?? 20);
const USERS = Number(process.env.FANOUT_USERS ?? 100);
/**
 * The sustained run: FANOUT_RATE_SUBSCRIBERS subscribers (0: no run) get job changes at
 * FANOUT_RATE a second for FANOUT_RATE_SECONDS, made round FANOUT_RATE_JOBS running jobs.
 */
const RATE_SUBSCRIBERS = Number(process.env.FANOUT_RATE_SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.FANOUT_RATE ?? 200);
const RATE_SECONDS = Number(process.env.FANOUT_RATE_SECONDS ?? 10);
const RATE_JOBS = Number(process.env.FANOUT_RATE_JOBS ?? 4);
/** FANOUT_PROFILE=<dir>: a CPU profile of each size's measured events, per measured process. */
const PROFILE_DIR = process.env.FANOUT_PROFILE;
const TIMEOUT_MS = 60_000;

/** What a dashboard subscribes to: only fields that are the same for every ADMIN, so one execution serves all. */
const QUERY = `subscription($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) {
    cursor status progress occurredAt
    job { id type status progress createdAt updatedAt user { id email name } project { id name } dataset { id name } folder { id name } }
  }
}`;

const log = (msg: string) => console.log(`[fanout ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; !(await check()); i++) {
    if (i > 2400) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

interface Target {
  name: 'feed' | 'bare';
  server: Caller;
  clients: Caller;
  trigger: () => Promise<{ tCommit: string }>;
  cpuUs: number[];
  latenciesMs: number[];
  sample: string;
}

/** One event to every subscriber of a target; records its CPU and latencies unless warming up. */
async function oneEvent(t: Target, n: number, record: boolean): Promise<void> {
  await t.clients.call('arm', { n });
  const { tCommit } = await t.trigger();
  const got = await t.clients.call('collect', { timeoutMs: TIMEOUT_MS });
  const cpu = await t.server.call<number>('cpu');
  if (got.bad) throw new Error(`${t.name}: ${got.bad} deliveries had another length than the rest`);
  t.sample = got.sample;
  if (!record) return;
  t.cpuUs.push(cpu);
  const t0 = Number(BigInt(tCommit));
  for (const time of got.times) t.latenciesMs.push((time - t0) / 1e6);
}

interface SeriesLatency {
  received: number;
  missing: number;
  extra: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * The sustained run: job changes at a steady rate (the way workers report progress) to N
 * subscribers, each change started on schedule whatever the previous one is doing; then a bare
 * broadcast of the same message at the same rate to as many sockets, what is due sent together
 * as the feed does with one round's events. Latency: from each event's commit (bare: its
 * scheduled time) to each subscriber's receipt.
 */
async function sustained(args: { service: Caller; bareServer: Caller; feedClients: Caller; bareClients: Caller; setup: any; barePort: number }) {
  const { service, bareServer, feedClients, bareClients, setup, barePort } = args;
  const n = RATE_SUBSCRIBERS;
  const events = Math.round(RATE * RATE_SECONDS);
  await service.call('startJobs', { count: RATE_JOBS - 1 });
  // The same changes with no subscriber: what the fan-out adds is the difference.
  const alone = await service.call<{ commits: number[]; cpuUs: number }>('sustainFeed', { rate: RATE, seconds: RATE_SECONDS });
  const after = await service.call('cursor');
  await feedClients.call('feed', { url: `ws://127.0.0.1:${setup.port}/graphql`, tokens: setup.tokens, workspaceId: setup.workspaceId, after, query: QUERY, n });
  await bareClients.call('bare', { url: `ws://127.0.0.1:${barePort}`, n });
  await waitFor(`${n} subscriptions`, async () => (await service.call('counts')).sockets === n);
  await waitFor(`${n} bare sockets`, async () => (await bareServer.call('counts')).sockets === n);
  const feed: Target = { name: 'feed', server: service, clients: feedClients, trigger: () => service.call('event'), cpuUs: [], latenciesMs: [], sample: '' };
  const bare: Target = { name: 'bare', server: bareServer, clients: bareClients, trigger: () => bareServer.call('broadcast', { text: feed.sample }), cpuUs: [], latenciesMs: [], sample: '' };
  for (let i = 0; i < WARMUP; i++) {
    await oneEvent(feed, n, false);
    await oneEvent(bare, n, false);
  }

  log(`sustained: ${n} subscribers, ${RATE} job changes a second for ${RATE_SECONDS} s round ${RATE_JOBS} jobs; load ${loadavg()[0].toFixed(1)}`);
  const run = async (target: Target, start: () => Promise<{ commits: number[]; cpuUs: number; late: number }>) => {
    await target.clients.call('armSeries', { events });
    if (PROFILE_DIR) mkdirSync(PROFILE_DIR, { recursive: true });
    if (PROFILE_DIR) await target.server.call('profileStart');
    const made = await start();
    if (PROFILE_DIR) await target.server.call('profileStop', { file: join(PROFILE_DIR, `${target.name}-sustained.cpuprofile`) });
    if (made.commits.length !== events) throw new Error(`${target.name}: ${made.commits.length} events for ${events} changes`);
    const latency = await target.clients.call<SeriesLatency>('seriesLatency', { commits: made.commits, timeoutMs: TIMEOUT_MS });
    if (latency.missing || latency.extra) throw new Error(`${target.name}: ${latency.missing} deliveries missing, ${latency.extra} extra`);
    // The rate the changes (bare: the sends' schedule) actually kept: a process that cannot keep up falls behind it.
    const achieved = (events - 1) / ((made.commits[events - 1] - made.commits[0]) / 1e9);
    return { ...latency, cpuUs: made.cpuUs, lateMs: made.late, achieved };
  };
  const statsBefore = (await service.call('counts')).stats;
  const f = await run(feed, () => service.call('sustainFeed', { rate: RATE, seconds: RATE_SECONDS }));
  const stats = (await service.call('counts')).stats;
  await sleep(500);
  const b = await run(bare, () => bareServer.call('sustainBare', { text: feed.sample, rate: RATE, seconds: RATE_SECONDS }));
  await Promise.all([feedClients.call('closeAll'), bareClients.call('closeAll')]);
  await waitFor('the feed to empty', async () => (await service.call('counts')).sockets === 0);
  await waitFor('the bare sockets to close', async () => (await bareServer.call('counts')).sockets === 0);

  const ms = (x: number) => +x.toFixed(1);
  const result = {
    subscribers: n,
    ratePerSecond: RATE,
    seconds: RATE_SECONDS,
    jobs: RATE_JOBS,
    events,
    feed: {
      p50Ms: ms(f.p50),
      p99Ms: ms(f.p99),
      maxMs: ms(f.max),
      // The whole process (the job changes too), and less the same run's with no subscriber.
      cpuMsPerEvent: +(f.cpuUs / events / 1000).toFixed(2),
      fanOutCpuMsPerEvent: +((f.cpuUs - alone.cpuUs) / events / 1000).toFixed(2),
      lateMs: ms(f.lateMs),
      achievedRate: Math.round(f.achieved),
      // Rounds (pages of events read) and writes of several events to one subscriber at once.
      rounds: stats.pages - statsBefore.pages,
      corkedWrites: stats.corked - statsBefore.corked,
    },
    bare: { p50Ms: ms(b.p50), p99Ms: ms(b.p99), maxMs: ms(b.max), cpuMsPerEvent: +(b.cpuUs / events / 1000).toFixed(2), lateMs: ms(b.lateMs) },
    p99Ratio: +(f.p99 / b.p99).toFixed(2),
  };
  log(
    `sustained ${RATE}/s to ${n}: commit->delivery feed p50 ${result.feed.p50Ms} ms p99 ${result.feed.p99Ms} ms (bare ${result.bare.p50Ms} / ${result.bare.p99Ms} ms, x${result.p99Ratio}); ` +
      `CPU/event feed ${result.feed.cpuMsPerEvent} ms (fan-out ${result.feed.fanOutCpuMsPerEvent}) vs bare ${result.bare.cpuMsPerEvent} ms; ` +
      `${result.feed.achievedRate} changes/s kept, ${result.feed.rounds} rounds; load ${loadavg()[0].toFixed(1)}`,
  );
  return result;
}

async function main(): Promise<void> {
  const spawn = (file: string, execArgv: string[] = []) => fork(join(__dirname, file), [], { execArgv, stdio: 'inherit' });
  const children = [spawn('server.js', ['--expose-gc']), spawn('server.js', ['--expose-gc']), spawn('clients.js'), spawn('clients.js')];
  const [service, bareServer, feedClients, bareClients] = children.map(caller);
  try {
    const setup = await service.call('setup', { users: USERS });
    const barePort = await bareServer.call<number>('listen');
    log(`service on :${setup.port} (${process.env.BENCH_FANOUT_DB ? 'PostgreSQL' : 'PGlite in memory'}), bare ws on :${barePort}, ${USERS} ADMINs; load ${loadavg()[0].toFixed(1)}`);

    // The job change alone: no subscriber anywhere.
    // The same job change in a workspace with no subscriber: what the feed's CPU is net of.
    const quietEvent = async () => {
      await service.call('event', { quiet: true });
      await sleep(20);
      return service.call<number>('cpu');
    };
    const base: number[] = [];
    for (let i = 0; i < WARMUP + EVENTS; i++) {
      const cpu = await quietEvent();
      if (i >= WARMUP) base.push(cpu);
    }
    const baseCpu = median(base);
    log(`a job change with no subscriber: ${(baseCpu / 1000).toFixed(2)} ms CPU`);

    const rows: any[] = [];
    for (const n of SIZES) {
      if (process.env.FANOUT_HEAP) mkdirSync(process.env.FANOUT_HEAP, { recursive: true });
      // Before and with the subscriptions: what they hold is the difference.
      if (process.env.FANOUT_HEAP) await service.call('heapSnapshot', { file: join(process.env.FANOUT_HEAP, `feed-${n}-before.heapsnapshot`) });
      const memBefore = { feed: await service.call('mem'), bare: await bareServer.call('mem') };
      const rendersBefore = (await service.call('counts')).stats.renders;
      const after = await service.call('cursor');
      await feedClients.call('feed', { url: `ws://127.0.0.1:${setup.port}/graphql`, tokens: setup.tokens, workspaceId: setup.workspaceId, after, query: QUERY, n });
      await bareClients.call('bare', { url: `ws://127.0.0.1:${barePort}`, n });
      await waitFor(`${n} subscriptions`, async () => (await service.call('counts')).sockets === n);
      await waitFor(`${n} bare sockets`, async () => (await bareServer.call('counts')).sockets === n);
      const memAfter = { feed: await service.call('mem'), bare: await bareServer.call('mem') };
      if (process.env.FANOUT_HEAP) log(`heap snapshot: ${await service.call('heapSnapshot', { file: join(process.env.FANOUT_HEAP, `feed-${n}.heapsnapshot`) })}`);

      const feed: Target = { name: 'feed', server: service, clients: feedClients, trigger: () => service.call('event'), cpuUs: [], latenciesMs: [], sample: '' };
      const bare: Target = { name: 'bare', server: bareServer, clients: bareClients, trigger: () => bareServer.call('broadcast', { text: feed.sample }), cpuUs: [], latenciesMs: [], sample: '' };
      for (let i = 0; i < WARMUP; i++) {
        await oneEvent(feed, n, false); // first: the bare broadcast sends the bytes the feed sent
        await oneEvent(bare, n, false);
      }
      if (PROFILE_DIR) await Promise.all([service.call('profileStart'), bareServer.call('profileStart')]);
      // Each round also measures the job change alone, so the subtraction sees the same machine.
      const quiet: number[] = [];
      for (let i = 0; i < EVENTS; i++) {
        for (const target of i % 2 ? [bare, feed] : [feed, bare]) {
          await oneEvent(target, n, true);
          await sleep(20);
        }
        quiet.push(await quietEvent());
      }
      if (PROFILE_DIR) {
        mkdirSync(PROFILE_DIR, { recursive: true });
        await service.call('profileStop', { file: join(PROFILE_DIR, `feed-${n}.cpuprofile`) });
        await bareServer.call('profileStop', { file: join(PROFILE_DIR, `bare-${n}.cpuprofile`) });
      }
      const renders = ((await service.call('counts')).stats.renders - rendersBefore) / (WARMUP + EVENTS);
      await Promise.all([feedClients.call('closeAll'), bareClients.call('closeAll')]);
      await waitFor('the feed to empty', async () => (await service.call('counts')).sockets === 0);
      await waitFor('the bare sockets to close', async () => (await bareServer.call('counts')).sockets === 0);

      const perSocket = (which: 'feed' | 'bare', key: 'rss' | 'heap' | 'external') => Math.round((memAfter[which][key] - memBefore[which][key]) / n);
      const changeCpu = median(quiet);
      const feedPer = (median(feed.cpuUs) - changeCpu) / n;
      const barePer = median(bare.cpuUs) / n;
      const row = {
        subscribers: n,
        messageBytes: Buffer.byteLength(feed.sample),
        rendersPerEvent: renders,
        feedCpuUsPerDelivery: +feedPer.toFixed(2),
        bareCpuUsPerDelivery: +barePer.toFixed(2),
        ratio: +(feedPer / barePer).toFixed(2),
        jobChangeCpuMs: +(changeCpu / 1000).toFixed(2),
        feedCpuMsPerEvent: +(median(feed.cpuUs) / 1000).toFixed(1),
        bareCpuMsPerEvent: +(median(bare.cpuUs) / 1000).toFixed(1),
        // The spread of the measured events (run-to-run noise shows here first).
        feedCpuMsRange: [+(Math.min(...feed.cpuUs) / 1000).toFixed(1), +(Math.max(...feed.cpuUs) / 1000).toFixed(1)],
        bareCpuMsRange: [+(Math.min(...bare.cpuUs) / 1000).toFixed(1), +(Math.max(...bare.cpuUs) / 1000).toFixed(1)],
        feedP50Ms: +percentile(feed.latenciesMs, 50).toFixed(1),
        feedP99Ms: +percentile(feed.latenciesMs, 99).toFixed(1),
        bareP50Ms: +percentile(bare.latenciesMs, 50).toFixed(1),
        bareP99Ms: +percentile(bare.latenciesMs, 99).toFixed(1),
        feedBytesPerSubscriber: { heap: perSocket('feed', 'heap'), external: perSocket('feed', 'external'), rss: perSocket('feed', 'rss') },
        bareBytesPerSocket: { heap: perSocket('bare', 'heap'), external: perSocket('bare', 'external'), rss: perSocket('bare', 'rss') },
      };
      rows.push(row);
      log(
        `${n} subscribers: CPU/delivery feed ${row.feedCpuUsPerDelivery} µs vs bare ${row.bareCpuUsPerDelivery} µs (x${row.ratio}); ` +
          `p99 commit->delivery ${row.feedP99Ms} ms (bare ${row.bareP99Ms} ms); heap/subscriber ${row.feedBytesPerSubscriber.heap} B ` +
          `(bare socket ${row.bareBytesPerSocket.heap} B); renders/event ${renders}; load ${loadavg()[0].toFixed(1)}`,
      );
    }

    const rate = RATE_SUBSCRIBERS > 0 ? await sustained({ service, bareServer, feedClients, bareClients, setup, barePort }) : null;

    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
      database: process.env.BENCH_FANOUT_DB ? 'postgres' : 'pglite',
      events: EVENTS,
      warmup: WARMUP,
      users: USERS,
      jobChangeCpuMs: +(baseCpu / 1000).toFixed(2),
      rows,
      sustained: rate,
    };
    const out = join(__dirname, '..', '..', '..', 'bench', 'fanout', 'last-results.json');
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.table(
      rows.map(({ feedBytesPerSubscriber: f, bareBytesPerSocket: b, feedCpuMsRange: _f, bareCpuMsRange: _b, ...r }) => ({ ...r, feedHeapB: f.heap, feedRssB: f.rss, bareHeapB: b.heap, bareRssB: b.rss })),
    );
    log(`wrote ${out}`);
  } finally {
    await Promise.all([service.call('stop'), bareServer.call('stop')]).catch(() => undefined);
    for (const child of children) child.kill();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
