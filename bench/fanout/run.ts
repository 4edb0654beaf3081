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
const SIZES = (process.env.FANOUT_SIZES ?? '1000,5000,10000').split(',').map(Number);
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 15);
/**
 * Unmeasured events per size and target. The per-event code (reading the log, rendering once)
 * runs once an event: three left the first size measuring it before V8 had optimised it (1k
 * subscribers measured twice in one run: 1.62x, then 1.37x).
 */
const WARMUP = Number(process.env.FANOUT_WARMUP ?? 20);
const USERS = Number(process.env.FANOUT_USERS ?? 100);
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

async function main(): Promise<void> {
  const spawn = (file: string, execArgv: string[] = []) => fork(join(__dirname, file), [], { execArgv, stdio: 'inherit' });
  const children = [spawn('server.js', ['--expose-gc']), spawn('server.js', ['--expose-gc']), spawn('clients.js'), spawn('clients.js')];
  const [service, bareServer, feedClients, bareClients] = children.map(caller);
  try {
    const setup = await service.call('setup', { users: USERS });
    const barePort = await bareServer.call<number>('listen');
    log(`service on :${setup.port} (${process.env.BENCH_FANOUT_DB ? 'PostgreSQL' : 'PGlite in memory'}), bare ws on :${barePort}, ${USERS} ADMINs; load ${loadavg()[0].toFixed(1)}`);

    // The job change alone: no subscriber anywhere.
    const base: number[] = [];
    for (let i = 0; i < WARMUP + EVENTS; i++) {
      await service.call('event');
      await sleep(20);
      const cpu = await service.call<number>('cpu');
      if (i >= WARMUP) base.push(cpu);
    }
    const baseCpu = median(base);
    log(`a job change with no subscriber: ${(baseCpu / 1000).toFixed(2)} ms CPU`);

    const rows: any[] = [];
    for (const n of SIZES) {
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
      for (let i = 0; i < EVENTS; i++) {
        for (const target of i % 2 ? [bare, feed] : [feed, bare]) {
          await oneEvent(target, n, true);
          await sleep(20);
        }
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
      const feedPer = (median(feed.cpuUs) - baseCpu) / n;
      const barePer = median(bare.cpuUs) / n;
      const row = {
        subscribers: n,
        messageBytes: Buffer.byteLength(feed.sample),
        rendersPerEvent: renders,
        feedCpuUsPerDelivery: +feedPer.toFixed(2),
        bareCpuUsPerDelivery: +barePer.toFixed(2),
        ratio: +(feedPer / barePer).toFixed(2),
        feedCpuMsPerEvent: +(median(feed.cpuUs) / 1000).toFixed(1),
        bareCpuMsPerEvent: +(median(bare.cpuUs) / 1000).toFixed(1),
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

    const result = {
      at: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
      database: process.env.BENCH_FANOUT_DB ? 'postgres' : 'pglite',
      events: EVENTS,
      warmup: WARMUP,
      users: USERS,
      jobChangeCpuMs: +(baseCpu / 1000).toFixed(2),
      rows,
    };
    const out = join(__dirname, '..', '..', '..', 'bench', 'fanout', 'last-results.json');
    writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
    console.table(
      rows.map(({ feedBytesPerSubscriber: f, bareBytesPerSocket: b, ...r }) => ({ ...r, feedHeapB: f.heap, feedRssB: f.rss, bareHeapB: b.heap, bareRssB: b.rss })),
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
