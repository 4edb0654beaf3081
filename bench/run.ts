import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { Agent, request } from 'node:http';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { mintToken } from '../src/dev-token';
import {
  BENCH_DB, BENCH_DB_URL, COUNT_REQUESTS, CONCURRENCIES, DURATION_S, JWT_SECRET, PEERS_DIR, PG_ADMIN_URL, PORTS,
  POSTGRAPHILE_VERSION, ROOT, S4_SUBSCRIBERS, S4_WORKERS, WARMUP_S, withDatabase,
} from './config';
import { runLoad, type LoadResult } from './load';
import { PgCounter, type StatementCounts } from './pg-counter';
import { attachProfiler, summariseProfile, type ProfileSummary } from './profile';
import {
  describe, difference, normalise, notPartOf, PLAN, requestFor, S5_VIEWER, type Request, type S1Person, type ScenarioId, type TargetId,
} from './scenarios';
import { seedBenchDatabase, type Seeded } from './seed';
import { floorWrites, makeWorkerKeys, openSubscribers, serviceWrites, type WriteResult } from './writes';
import { cpuMs, ensurePostGraphile, startTarget, type Running } from './servers';

/**
 * `npm run bench`: seeds the bench database, then for every target (the service, PostGraphile 5,
 * the SQL floor, plain graphql-js) and read scenario (S1, S2, S3; S5, S1 as a MEMBER and as a
 * WORKFORCE_MANAGER, on the service only):
 *  1. check: the target runs behind a counting proxy; its answer is compared with the others'
 *     (normalised), and the SQL statements of COUNT_REQUESTS sequential requests are counted;
 *  2. load: the target runs again, connected directly; at each concurrency, WARMUP_S seconds of
 *     unmeasured load, then DURATION_S measured, with the server's CPU (/proc/<pid>/stat) and the
 *     CPU of its PostgreSQL backends read before and after;
 *  3. S4, workers' writes (writes.ts): the SQL floor, then the service with the feed's
 *     subscribers connected, at each number of workers;
 *  4. a CPU profile of the service on S1, summarised;
 * and writes the results into BENCHMARKS.md (between the result markers) and
 * bench/.peers/last-results.json.
 *
 * BENCH_ONLY=<list> runs a part: targets (service, floor, postgraphile, graphqljs) and/or
 * scenarios (S1..S5; S5 brings S1 on the service, the ADMIN's page it is compared with). A
 * part's results are printed and saved in bench/.peers/last-results-partial.json; BENCHMARKS.md
 * is only rewritten by a whole run (or with BENCH_WRITE=1).
 */

const log = (msg: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}`);
const TARGET_NAMES: Record<TargetId, string> = {
  service: 'service',
  postgraphile: `PostGraphile ${POSTGRAPHILE_VERSION}`,
  floor: 'floor (1 SQL + node:http)',
  graphqljs: 'graphql-js + node:http',
};

interface Check {
  ok: boolean;
  /** Why the target does not run the scenario (missing feature, wrong answer). */
  reason?: string;
  normal?: unknown;
  summary?: string;
  bytes?: number;
  /** The whole HTTP response (status line and headers too), as the load generator counts it. */
  rawBytes?: number;
  statements?: number;
  control?: number;
  samples?: string[];
}

interface Measured extends Omit<LoadResult<unknown>, 'before' | 'after'> {
  scenario: ScenarioId;
  target: TargetId;
  serverCpuMsPerReq: number;
  pgCpuMsPerReq: number;
  /** CPU used on the machine by anything else (other processes), in ms per second of the run. */
  foreignCpuMsPerS: number;
}

/** S4: one number of workers against one target. */
interface WriteMeasured extends WriteResult {
  target: 'service' | 'floor';
  serverCpuMsPerReport: number;
  pgCpuMsPerReport: number;
  foreignCpuMsPerS: number;
  /** Deliveries the feed's subscribers received per second of the window (service only). */
  deliveriesPerS?: number;
}

interface Results {
  startedAt: string;
  finishedAt?: string;
  machine: Record<string, string>;
  versions: Record<string, string>;
  settings: Record<string, unknown>;
  seeded: Seeded['counts'];
  checks: Record<string, Check>;
  comparisons: string[];
  measured: Measured[];
  /** S4 (absent when not run). */
  writes?: {
    subscribers: number;
    /** SQL statements per report (one worker, counted through the proxy); the service's first few, in order. */
    statements: { floor: number; service: { statements: number; samples: string[] } };
    measured: WriteMeasured[];
  };
  profile?: { file: string; summary: ProfileSummary; rps: number; connections: number };
}

async function main(): Promise<void> {
  const started = Date.now();
  const selection = selectionOf(process.env.BENCH_ONLY);
  const results: Results = {
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: {},
    settings: { durationS: DURATION_S, warmupS: WARMUP_S, concurrencies: CONCURRENCIES, s4Workers: S4_WORKERS, s4Subscribers: S4_SUBSCRIBERS, countRequests: COUNT_REQUESTS, database: BENCH_DB },
    seeded: {},
    checks: {},
    comparisons: [],
    measured: [],
  };
  const scenariosOf = (t: TargetId) => (Object.keys(PLAN) as ScenarioId[]).filter((s) => PLAN[s].includes(t) && selection.reads(s, t));
  const targets = (['service', 'floor', 'postgraphile', 'graphqljs'] as TargetId[]).filter((t) => scenariosOf(t).length > 0);
  results.versions = versions(targets.includes('postgraphile') ? ensurePostGraphile(log).node : undefined);
  log(`machine: ${JSON.stringify(results.machine)}`);

  const seeded = await seedBenchDatabase(log);
  results.seeded = seeded.counts;
  const tokenOf = (p: Seeded['admin']) => mintToken(JWT_SECRET, { sub: p.subject, email: p.email, name: p.name }, '2h');
  const token = await tokenOf(seeded.admin);
  const tokens = { ADMIN: token, MEMBER: await tokenOf(seeded.viewers.MEMBER), WORKFORCE_MANAGER: await tokenOf(seeded.viewers.WORKFORCE_MANAGER) };
  const headersFor = (req: Request): Record<string, string> => (req.auth ? { authorization: `Bearer ${tokens[req.viewer ?? 'ADMIN']}` } : {});

  // 1. Check answers and count statements, each target behind the counting proxy.
  const counter = countingProxy();
  await counter.start();
  const proxyUrl = PROXY_URL;
  try {
    for (const target of targets) {
      log(`checking ${target} (statements counted through the proxy)`);
      let server: Running;
      try {
        server = await startTarget(target, { databaseUrl: proxyUrl }, log);
      } catch (error) {
        for (const scenario of scenariosOf(target)) results.checks[`${scenario}/${target}`] = { ok: false, reason: `did not start: ${(error as Error).message}` };
        log(`  ${target} did not start: ${(error as Error).message}`);
        continue;
      }
      try {
        for (const scenario of scenariosOf(target)) {
          results.checks[`${scenario}/${target}`] = await check(server, target, scenario, seeded.workspaceId, headersFor, counter);
          if (scenario in S5_VIEWER) results.comparisons.push(compareWithAdmin(results.checks, scenario));
          const c = results.checks[`${scenario}/${target}`];
          log(`  ${scenario}: ${c.ok ? `${c.summary}; ${c.statements} statements/request (${c.control} transaction control); ${c.bytes} bytes` : `not run: ${c.reason}`}`);
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    await counter.stop();
  }
  results.comparisons.push(...compareAnswers(results.checks));
  for (const line of results.comparisons) log(line);

  // 2. Load, each target connected directly.
  const monitor = new pg.Client({ connectionString: PG_ADMIN_URL, application_name: 'bench-monitor' });
  await monitor.connect();
  try {
    for (const target of targets) {
      const scenarios = scenariosOf(target).filter((s) => results.checks[`${s}/${target}`]?.ok);
      if (!scenarios.length) continue;
      const server = await startTarget(target, { databaseUrl: BENCH_DB_URL }, log);
      try {
        for (const scenario of scenarios) {
          const req = requestFor(target, scenario, seeded.workspaceId);
          const expectedBytes = results.checks[`${scenario}/${target}`].rawBytes;
          const load = { url: `http://127.0.0.1:${server.port}${req.path}`, body: req.body, headers: headersFor(req), expectedBytes };
          for (const connections of CONCURRENCIES) {
            await settle(server.pid);
            const r = await runLoad(load, connections, WARMUP_S, DURATION_S[scenario], () => sample(monitor, server.pid));
            const serverMs = r.after.server - r.before.server;
            const pgMs = pgDelta(r.before.pg, r.after.pg);
            const { before: _b, after: _a, ...result } = r;
            const m: Measured = {
              ...result,
              scenario,
              target,
              serverCpuMsPerReq: serverMs / r.requests,
              pgCpuMsPerReq: pgMs / r.requests,
              foreignCpuMsPerS: Math.max(0, r.after.total - r.before.total - serverMs - pgMs - r.loadgenCpuMsPerReq * r.requests) / r.seconds,
            };
            results.measured.push(m);
            log(`  ${scenario} ${target} c=${connections}: ${m.rps.toFixed(1)} rps, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, server CPU ${m.serverCpuMsPerReq.toFixed(2)} ms/req, PG CPU ${m.pgCpuMsPerReq.toFixed(2)} ms/req, other processes ${Math.round(m.foreignCpuMsPerS)} ms/s${m.failures ? `, ${m.failures} FAILURES` : ''}`);
          }
        }
      } finally {
        await server.stop();
      }
    }
    // 3. Workers' writes.
    if (selection.writes) results.writes = await measureWrites(seeded, token, monitor);

  } finally {
    await monitor.end();
  }

  // 4. Where the service's CPU goes on S1.
  if (process.env.BENCH_PROFILE !== '0' && selection.profile && targets.includes('service') && results.checks['S1/service']?.ok) {
    results.profile = await profileService(seeded.workspaceId, headersFor(requestFor('service', 'S1', seeded.workspaceId)));
  }

  results.finishedAt = new Date().toISOString();
  mkdirSync(PEERS_DIR, { recursive: true });
  const seconds = (Date.now() - started) / 1000;
  if (selection.whole || process.env.BENCH_WRITE === '1') {
    writeFileSync(join(PEERS_DIR, 'last-results.json'), JSON.stringify(results, null, 2));
    writeReport(results, seconds);
    log(`done in ${seconds.toFixed(0)} s; results in BENCHMARKS.md and bench/.peers/last-results.json`);
  } else {
    writeFileSync(join(PEERS_DIR, 'last-results-partial.json'), JSON.stringify(results, null, 2));
    console.log(renderResults(results, seconds, process.env.BENCH_ONLY));
    log(`done in ${seconds.toFixed(0)} s (BENCH_ONLY=${process.env.BENCH_ONLY}: BENCHMARKS.md left as it was); results in bench/.peers/last-results-partial.json`);
  }
}

/** What BENCH_ONLY selects: which read scenarios run on which targets, whether S4 and the profile run. */
function selectionOf(only: string | undefined): { reads(s: ScenarioId, t: TargetId): boolean; writes: boolean; profile: boolean; whole: boolean } {
  const items = only?.split(',').map((x) => x.trim()).filter(Boolean) ?? [];
  const targets = items.filter((x) => x in TARGET_NAMES) as TargetId[];
  const scenarios = new Set(items.filter((x) => /^S\d$/.test(x)));
  const unknown = items.filter((x) => !(x in TARGET_NAMES) && !/^S[1-5]$/.test(x));
  if (unknown.length) throw new Error(`BENCH_ONLY: unknown ${unknown.join(', ')} (targets: ${Object.keys(TARGET_NAMES).join(', ')}; scenarios: S1..S5)`);
  const target = (t: TargetId) => !targets.length || targets.includes(t);
  const scenario = (s: string) => !scenarios.size || scenarios.has(s);
  return {
    // S5's ratios need the ADMIN's page (S1 on the service) measured in the same run.
    reads: (s, t) => target(t) && (scenario(s.slice(0, 2)) || (s === 'S1' && t === 'service' && scenario('S5'))),
    writes: target('service') && scenario('S4'),
    profile: scenario('S1'),
    whole: !items.length,
  };
}

/** A proxy that counts the SQL statements of what connects to the bench database through PROXY_URL. */
const countingProxy = (samples?: number) =>
  new PgCounter(PORTS.proxy, { host: new URL(PG_ADMIN_URL).hostname, port: Number(new URL(PG_ADMIN_URL).port || 5432) }, samples);
const PROXY_URL = (() => {
  const proxied = new URL(withDatabase(PG_ADMIN_URL, BENCH_DB));
  proxied.hostname = '127.0.0.1';
  proxied.port = String(PORTS.proxy);
  return proxied.toString();
})();

/** S4: the SQL floor at each number of workers, then the service, its feed's subscribers connected. */
async function measureWrites(seeded: Seeded, adminToken: string, monitor: pg.Client): Promise<Results['writes']> {
  const measured: WriteMeasured[] = [];
  const seconds = DURATION_S.S4;
  const setupOf = (port: number) => ({ url: `http://127.0.0.1:${port}/graphql`, adminToken, workspaceId: seeded.workspaceId, projectId: seeded.projectId });

  // Statements per report, one worker, behind the counting proxy: the service's include the feed's reads after the commit.
  log(`S4: counting statements per report through the proxy (1 worker, ${S4_SUBSCRIBERS} subscribers)`);
  const counter = countingProxy(40);
  await counter.start();
  // At the window's start: forget what came before; at its end: what the window ran.
  const window = async () => {
    const counts = counter.snapshot();
    counter.reset();
    return counts;
  };
  const perReport = (r: { reports: number; after: StatementCounts }) => ({ statements: (r.after.queries + r.after.control) / r.reports, samples: r.after.samples });
  let keys: string[];
  let statements: NonNullable<Results['writes']>['statements'];
  try {
    const floor = perReport(await floorWrites(PROXY_URL, seeded.processingJobIds, 1, 1, 2, window));
    const server = await startTarget('service', { databaseUrl: PROXY_URL }, log);
    try {
      keys = await makeWorkerKeys(setupOf(server.port), Math.max(...S4_WORKERS));
      const subscribers = S4_SUBSCRIBERS > 0 ? await openSubscribers(setupOf(server.port), S4_SUBSCRIBERS) : null;
      try {
        statements = { floor: floor.statements, service: perReport(await serviceWrites(setupOf(server.port), keys, 1, 1, 2, window)) };
      } finally {
        await subscribers?.close();
      }
    } finally {
      await server.stop();
    }
  } finally {
    await counter.stop();
  }
  log(`  S4 statements per report: floor ${statements.floor.toFixed(1)}, service ${statements.service.statements.toFixed(1)}; the service's, in order: ${statements.service.samples.slice(0, Math.round(statements.service.statements)).map((x) => x.slice(0, 90)).join(' | ')}`);

  const record = (target: WriteMeasured['target'], r: Awaited<ReturnType<typeof floorWrites<Sampled>>>, serverPid?: number, extra: Partial<WriteMeasured> = {}) => {
    const { before, after, ...result } = r;
    const serverMs = serverPid ? after.server - before.server : 0;
    const pgMs = pgDelta(before.pg, after.pg);
    const m: WriteMeasured = {
      ...result,
      target,
      serverCpuMsPerReport: serverPid ? serverMs / r.reports : NaN,
      pgCpuMsPerReport: pgMs / r.reports,
      foreignCpuMsPerS: Math.max(0, after.total - before.total - serverMs - pgMs - r.clientCpuMsPerReport * r.reports) / r.seconds,
      ...extra,
    };
    measured.push(m);
    log(`  S4 ${target} workers=${m.workers}: ${m.rps.toFixed(1)} reports/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms, server CPU ${f2(m.serverCpuMsPerReport)} ms/report, PG CPU ${m.pgCpuMsPerReport.toFixed(2)} ms/report, client CPU ${m.clientCpuMsPerReport.toFixed(2)} ms/report${m.deliveriesPerS !== undefined ? `, ${Math.round(m.deliveriesPerS)} deliveries/s` : ''}, other processes ${Math.round(m.foreignCpuMsPerS)} ms/s${m.failures ? `, ${m.failures} FAILURES` : ''}`);
  };
  // The floor first, with no service running: its NOTIFY would wake the service's feed, whose work would count against the floor.
  log(`S4 floor: the same transaction in plain SQL, one pg client per worker (${seconds} s after ${WARMUP_S} s of warm-up)`);
  for (const workers of S4_WORKERS) {
    record('floor', await floorWrites(BENCH_DB_URL, seeded.processingJobIds, workers, WARMUP_S, seconds, () => sample(monitor, process.pid)));
  }
  log(`S4 service: reportJobProgress with JOBS-scoped API keys, ${S4_SUBSCRIBERS} jobEvents subscribers connected`);
  const server = await startTarget('service', { databaseUrl: BENCH_DB_URL }, log);
  try {
    const setup = setupOf(server.port);
    const subscribers = S4_SUBSCRIBERS > 0 ? await openSubscribers(setup, S4_SUBSCRIBERS) : null;
    try {
      for (const workers of S4_WORKERS) {
        await settle(server.pid);
        const probe = async () => ({ ...(await sample(monitor, server.pid)), delivered: (await subscribers?.count()) ?? 0 });
        const r = await serviceWrites(setup, keys, workers, WARMUP_S, seconds, probe);
        record('service', r, server.pid, subscribers ? { deliveriesPerS: (r.after.delivered - r.before.delivered) / r.seconds } : {});
      }
    } finally {
      await subscribers?.close();
    }
  } finally {
    await server.stop();
  }
  return { subscribers: S4_SUBSCRIBERS, statements, measured };
}

/** S5: a non-admin's page must be part of the ADMIN's (S1 on the service); one that is not is not measured. */
function compareWithAdmin(checks: Record<string, Check>, scenario: ScenarioId): string {
  const mine = checks[`${scenario}/service`];
  const admin = checks['S1/service'];
  if (!mine?.ok || !admin?.ok) return `${scenario}: not compared with the ADMIN's page (${!mine?.ok ? 'not answered' : 'the ADMIN\'s page was not'})`;
  const diff = notPartOf(mine.normal as S1Person[], admin.normal as S1Person[]);
  if (diff) {
    mine.ok = false;
    mine.reason = `shows what the ADMIN's page does not: ${diff}`;
    return `${scenario}: service DIFFERS: ${diff}`;
  }
  return `${scenario}: every person, group and assignment on it is on the ADMIN's page too (${mine.summary} vs the ADMIN's ${admin.summary})`;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
}

async function check(
  server: Running,
  target: TargetId,
  scenario: ScenarioId,
  workspaceId: string,
  headersFor: (req: Request) => Record<string, string>,
  counter: PgCounter,
): Promise<Check> {
  const req = requestFor(target, scenario, workspaceId);
  const url = `http://127.0.0.1:${server.port}${req.path}`;
  const headers = headersFor(req);
  let text = '';
  let normal: unknown;
  try {
    for (let i = 0; i < 3; i++) text = (await post(url, req.body, headers)).text; // warm: caches, prepared statements
    normal = normalise(target, scenario, JSON.parse(text));
  } catch (error) {
    return { ok: false, reason: (error as Error).message.slice(0, 300) };
  }
  const rawBytes = await rawResponseBytes(url, req.body, headers);
  counter.reset();
  for (let i = 0; i < COUNT_REQUESTS; i++) await post(url, req.body, headers);
  await new Promise((r) => setTimeout(r, 50)); // let the last messages through the proxy
  const counts = counter.snapshot();
  return {
    ok: true,
    normal,
    summary: describe(scenario, normal),
    bytes: Buffer.byteLength(text),
    rawBytes,
    statements: (counts.queries + counts.control) / COUNT_REQUESTS,
    control: counts.control / COUNT_REQUESTS,
    samples: counts.samples,
  };
}

/** Bytes on the wire of one keep-alive response (status line, headers, body), as autocannon counts them. */
function rawResponseBytes(url: string, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      // A fresh socket carries this one response: all it has read is the response.
      const socket = res.socket;
      res.resume();
      res.on('end', () => {
        resolve(socket.bytesRead);
        agent.destroy();
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Every target's S1 and S3 answers must carry the same data; a peer that differs is not measured. */
function compareAnswers(checks: Record<string, Check>): string[] {
  const lines: string[] = [];
  for (const scenario of ['S1', 'S3'] as ScenarioId[]) {
    const present = PLAN[scenario].filter((t) => checks[`${scenario}/${t}`]?.ok);
    const reference = present.includes('service') ? 'service' : present[0];
    if (!reference) continue;
    for (const t of present) {
      if (t === reference) continue;
      const diff = difference(checks[`${scenario}/${reference}`].normal, checks[`${scenario}/${t}`].normal);
      if (diff) {
        checks[`${scenario}/${t}`].ok = false;
        checks[`${scenario}/${t}`].reason = `answer differs from ${reference}'s: ${diff}`;
        lines.push(`${scenario}: ${t} DIFFERS from ${reference}: ${diff}`);
      } else {
        lines.push(`${scenario}: ${t} carries the same data as ${reference} (${checks[`${scenario}/${t}`].summary})`);
      }
    }
  }
  return lines;
}

type Sampled = { server: number; pg: Map<number, number>; total: number };

/** CPU (ms) of the server process, of each PostgreSQL backend connected to the bench database, and of the whole machine. */
async function sample(monitor: pg.Client, serverPid: number): Promise<Sampled> {
  const { rows } = await monitor.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [BENCH_DB]);
  const pgCpu = new Map<number, number>(rows.map((r) => [r.pid as number, cpuMs(r.pid)]));
  return { server: cpuMs(serverPid), pg: pgCpu, total: machineBusyMs() };
}

/** Backends that appeared during the run count from zero; those that ended during it are lost (pools keep theirs). */
/** Waits until the server is idle (requests aborted at the end of the last run finished), at most 30 s. */
async function settle(pid: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  let last = cpuMs(pid);
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 300));
    const now = cpuMs(pid);
    if (now - last <= 20) return;
    last = now;
  }
}

function pgDelta(before: Map<number, number>, after: Map<number, number>): number {
  let sum = 0;
  // A smaller value than before means the pid was reused by a new backend: count it from zero.
  for (const [pid, ms] of after) sum += ms >= (before.get(pid) ?? 0) ? ms - (before.get(pid) ?? 0) : ms;
  return sum;
}

function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / 100;
}

async function profileService(workspaceId: string, headers: Record<string, string>): Promise<Results['profile']> {
  const dir = join(PEERS_DIR, 'profiles');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const connections = 8;
  log(`profiling the service on S1 (c=${connections}, ${DURATION_S.S1} s after ${WARMUP_S} s of warm-up, inspector protocol)`);
  const inspectPort = PORTS.proxy + 10;
  const server = await startTarget('service', { databaseUrl: BENCH_DB_URL, nodeFlags: [`--inspect=127.0.0.1:${inspectPort}`] }, log);
  const file = join(dir, 'service-S1.cpuprofile');
  let rps = 0;
  try {
    const req = requestFor('service', 'S1', workspaceId);
    const load = { url: `http://127.0.0.1:${server.port}${req.path}`, body: req.body, headers };
    // Called at the window's start (attach, start sampling) and end (stop, save): warm-up stays out.
    let profiler: Awaited<ReturnType<typeof attachProfiler>> | undefined;
    const probe = async () => {
      if (!profiler) profiler = await attachProfiler(inspectPort);
      else await profiler.stop(file);
    };
    rps = (await runLoad(load, connections, WARMUP_S, DURATION_S.S1, probe)).rps;
  } finally {
    await server.stop();
  }
  const summary = summariseProfile(file, 20);
  return { file: join('bench', '.peers', 'profiles', 'service-S1.cpuprofile'), summary, rps, connections };
}

function machineInfo(): Record<string, string> {
  const sh = (cmd: string, args: string[]) => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim();
    } catch {
      return '?';
    }
  };
  return {
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? '?'}`,
    nproc: sh('nproc', []),
    memory: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: sh('uname', ['-sr']),
    loadavgAtStart: loadavg().map((x) => x.toFixed(2)).join(' '),
  };
}

function versions(node22: string | undefined): Record<string, string> {
  const pkg = (dir: string, name: string) => {
    try {
      return JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version as string;
    } catch {
      return '?';
    }
  };
  let postgres = '?';
  try {
    postgres = execFileSync('psql', [PG_ADMIN_URL, '-Atc', 'SHOW server_version'], { encoding: 'utf8' }).trim();
  } catch {
    // psql missing: filled in below from the monitor connection, if needed
  }
  return {
    'node (service, floor, graphql-js, load generator)': process.version,
    'node (PostGraphile)': node22 ? execFileSync(node22, ['-v'], { encoding: 'utf8' }).trim() : 'not run',
    postgresql: postgres,
    postgraphile: pkg(PEERS_DIR, 'postgraphile'),
    grafast: pkg(PEERS_DIR, 'grafast'),
    graphql: pkg(ROOT, 'graphql'),
    'type-graphql': pkg(ROOT, 'type-graphql'),
    '@apollo/server': pkg(ROOT, '@apollo/server'),
    typeorm: pkg(ROOT, 'typeorm'),
    pg: pkg(ROOT, 'pg'),
    dataloader: pkg(ROOT, 'dataloader'),
    autocannon: pkg(ROOT, 'autocannon'),
  };
}

// ---------------------------------------------------------------- the report

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

function writeReport(r: Results, seconds: number): void {
  const file = join(ROOT, 'BENCHMARKS.md');
  const section = [START, renderResults(r, seconds), END].join('\n');
  let text = existsSync(file) ? readFileSync(file, 'utf8') : `# Benchmarks\n\n${section}\n`;
  if (text.includes(START) && text.includes(END)) {
    text = text.slice(0, text.indexOf(START)) + section + text.slice(text.indexOf(END) + END.length);
  } else {
    text += `\n${section}\n`;
  }
  writeFileSync(file, text);
}

const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f2 = (x: number) => (Number.isFinite(x) ? x.toFixed(2) : '–');
const ratio = (a?: number, b?: number) => (a && b ? `${(a / b).toFixed(2)}x` : '–');

function renderResults(r: Results, seconds: number, only?: string): string {
  const out: string[] = [];
  out.push(`## Last run: ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${Math.round(seconds)} s)`);
  out.push('');
  out.push(`Command: \`${only ? `BENCH_ONLY=${only} ` : ''}npm run bench\` (from the project folder; PostgreSQL on 127.0.0.1:5432).`);
  out.push(`Settings: per run ${Object.entries(r.settings.durationS as Record<string, number>).map(([k, v]) => `${k} ${v} s`).join(', ')} measured after ${r.settings.warmupS} s of warm-up on the same connections, concurrencies ${(r.settings.concurrencies as number[]).join(', ')}, statements counted over ${r.settings.countRequests} sequential requests; database \`${r.settings.database}\`.`);
  out.push('');
  out.push(`Machine: ${r.machine.nproc} CPUs (${r.machine.cpus}), ${r.machine.memory}, ${r.machine.kernel}; load average at start ${r.machine.loadavgAtStart}.`);
  out.push('Versions: ' + Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', ') + '.');
  out.push('');
  out.push(`Seeded: ${Object.entries(r.seeded).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
  out.push('');
  out.push('### Answers checked before measuring');
  out.push('');
  for (const [key, c] of Object.entries(r.checks)) {
    const [scenario, target] = key.split('/') as [ScenarioId, TargetId];
    out.push(`- ${scenario} ${TARGET_NAMES[target]}: ${c.ok ? `${c.summary}, ${c.bytes} bytes; ${f1(c.statements!)} SQL statements per request (${f1(c.control!)} of them transaction control)` : `**not measured**: ${c.reason}`}`);
  }
  for (const line of r.comparisons) out.push(`- ${line}`);
  out.push('');
  out.push('### Results');
  out.push('');
  out.push('| scenario | target | conc. | req/s | p50 ms | p99 ms | server CPU ms/req | PG CPU ms/req | SQL stmts/req | other CPU ms/s | failures |');
  out.push('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
  for (const m of r.measured) {
    const c = r.checks[`${m.scenario}/${m.target}`];
    out.push(`| ${m.scenario} | ${TARGET_NAMES[m.target]} | ${m.connections} | ${f1(m.rps)} | ${f2(m.p50)} | ${f2(m.p99)} | ${f2(m.serverCpuMsPerReq)} | ${f2(m.pgCpuMsPerReq)} | ${f1(c.statements!)} | ${Math.round(m.foreignCpuMsPerS)} | ${m.failures} |`);
  }
  out.push('');
  out.push('### Ratios (same run, same concurrency; throughput, and server CPU per request)');
  out.push('');
  out.push('| scenario | conc. | service / PostGraphile req/s | service / floor req/s | service / graphql-js req/s | CPU/req: service ÷ PostGraphile | CPU/req: service ÷ floor |');
  out.push('|---|--:|--:|--:|--:|--:|--:|');
  const get = (s: ScenarioId, t: TargetId, c: number) => r.measured.find((m) => m.scenario === s && m.target === t && m.connections === c);
  const targets: string[] = [];
  for (const s of ['S1', 'S2', 'S3'] as ScenarioId[]) {
    for (const c of r.settings.concurrencies as number[]) {
      const sv = get(s, 'service', c);
      if (!sv) continue;
      const pgl = get(s, 'postgraphile', c);
      const fl = get(s, 'floor', c);
      const gj = get(s, 'graphqljs', c);
      out.push(`| ${s} | ${c} | ${ratio(sv.rps, pgl?.rps)} | ${ratio(sv.rps, fl?.rps)} | ${s === 'S2' ? ratio(sv.rps, gj?.rps) : '–'} | ${ratio(sv.serverCpuMsPerReq, pgl?.serverCpuMsPerReq)} | ${ratio(sv.serverCpuMsPerReq, fl?.serverCpuMsPerReq)} |`);
      if (s === 'S1') {
        if (pgl) targets.push(`S1 c=${c}: service/PostGraphile ${ratio(sv.rps, pgl.rps)} (target ≥ 1.0x) ${sv.rps >= pgl.rps ? 'met' : '**missed**'}`);
        if (fl) targets.push(`S1 c=${c}: service/floor ${ratio(sv.rps, fl.rps)} (target ≥ 0.9x) ${sv.rps >= 0.9 * fl.rps ? 'met' : '**missed**'}`);
      }
      if (s === 'S2' && gj) targets.push(`S2 c=${c}: service/graphql-js ${ratio(sv.rps, gj.rps)} (target ≥ 0.7x) ${sv.rps >= 0.7 * gj.rps ? 'met' : '**missed**'}`);
      if (s === 'S2' && pgl) targets.push(`S2 c=${c}: service/PostGraphile ${ratio(sv.rps, pgl.rps)} (target ≥ 0.6x) ${sv.rps >= 0.6 * pgl.rps ? 'met' : '**missed**'}`);
      if (s === 'S3' && pgl) targets.push(`S3 c=${c}: service/PostGraphile ${ratio(sv.rps, pgl.rps)} (target ≥ 1.0x) ${sv.rps >= pgl.rps ? 'met' : '**missed**'}`);
    }
  }
  // S5: the same page for other viewers, against the ADMIN's in the same run.
  const s5 = (Object.keys(S5_VIEWER) as ScenarioId[]).filter((s) => r.measured.some((m) => m.scenario === s));
  if (s5.length) {
    out.push('');
    out.push('### S5: the users page (S1) as a non-admin ÷ as the ADMIN (same run, same concurrency)');
    out.push('');
    out.push(`| conc. | ADMIN req/s | ${s5.map((s) => `${S5_VIEWER[s]} req/s | ${S5_VIEWER[s]} ÷ ADMIN`).join(' | ')} |`);
    out.push(`|--:|--:|${s5.map(() => '--:|--:|').join('')}`);
    for (const c of r.settings.concurrencies as number[]) {
      const admin = get('S1', 'service', c);
      out.push(`| ${c} | ${f1(admin?.rps ?? NaN)} | ${s5.map((s) => `${f1(get(s, 'service', c)?.rps ?? NaN)} | ${ratio(get(s, 'service', c)?.rps, admin?.rps)}`).join(' | ')} |`);
      const member = get('S5-MEMBER', 'service', c);
      if (admin && member) targets.push(`S5 c=${c}: MEMBER ÷ ADMIN ${ratio(member.rps, admin.rps)} (target ≥ 2.0x) ${member.rps >= 2 * admin.rps ? 'met' : '**missed**'}`);
      const wfm = get('S5-WFM', 'service', c);
      if (admin && wfm) targets.push(`S5 c=${c}: WORKFORCE_MANAGER ÷ ADMIN ${ratio(wfm.rps, admin.rps)} (no target set)`);
    }
  }
  if (r.writes) {
    const w = r.writes;
    out.push('');
    out.push(`### S4: progress reports (reportJobProgress, each worker on its own job), service with ${w.subscribers} jobEvents subscribers connected ÷ the same transaction in plain SQL`);
    out.push('');
    out.push('| target | workers | reports/s | p50 ms | p99 ms | server CPU ms/report | PG CPU ms/report | client CPU ms/report | deliveries/s | other CPU ms/s | failures |');
    out.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
    for (const m of w.measured) {
      out.push(`| ${m.target === 'floor' ? 'floor (SQL through pg)' : 'service'} | ${m.workers} | ${f1(m.rps)} | ${f2(m.p50)} | ${f2(m.p99)} | ${f2(m.serverCpuMsPerReport)} | ${f2(m.pgCpuMsPerReport)} | ${f2(m.clientCpuMsPerReport)} | ${m.deliveriesPerS === undefined ? '–' : Math.round(m.deliveriesPerS)} | ${Math.round(m.foreignCpuMsPerS)} | ${m.failures} |`);
    }
    out.push('');
    out.push(`SQL statements per report (1 worker, counted through the proxy): floor ${f1(w.statements.floor)}, service ${f1(w.statements.service.statements)} (with the feed's reads after the commit); the first ${Math.round(w.statements.service.statements)} of the service's window, in order (about one report, wherever the window cut it): ${w.statements.service.samples.slice(0, Math.round(w.statements.service.statements)).map((x) => `\`${x.slice(0, 60)}\``).join(', ')}.`);
    out.push('');
    out.push('| workers | service ÷ floor reports/s | p50 service / floor ms |');
    out.push('|--:|--:|--:|');
    for (const n of [...new Set(w.measured.map((m) => m.workers))]) {
      const sv = w.measured.find((m) => m.target === 'service' && m.workers === n);
      const fl = w.measured.find((m) => m.target === 'floor' && m.workers === n);
      out.push(`| ${n} | ${ratio(sv?.rps, fl?.rps)} | ${f2(sv?.p50 ?? NaN)} / ${f2(fl?.p50 ?? NaN)} |`);
      if (sv && fl) targets.push(`S4 ${n} worker${n === 1 ? '' : 's'}: service ÷ floor ${ratio(sv.rps, fl.rps)} (target ≥ 0.6x) ${sv.rps >= 0.6 * fl.rps ? 'met' : '**missed**'}`);
    }
  }
  const s1 = r.checks['S1/service'];
  if (s1?.ok) targets.push(`S1 SQL statements per request: ${f1(s1.statements!)} (target ≤ 6) ${s1.statements! <= 6 ? 'met' : '**missed**'}`);
  out.push('');
  out.push('### Targets');
  out.push('');
  if (!targets.length) out.push('- The service does not answer S1/S2 yet: nothing to compare.');
  for (const t of targets) out.push(`- ${t}`);
  if (r.profile) {
    const p = r.profile;
    out.push('');
    out.push(`### Where the service's CPU goes on S1 (V8 CPU profile of the measured window, c=${p.connections}, ${f1(p.rps)} req/s while profiled)`);
    out.push('');
    out.push(`Busy ${Math.round(p.summary.busyMs)} ms of ${Math.round(p.summary.totalMs)} ms sampled. Self time by place:`);
    out.push('');
    out.push('| place | ms | % of busy |');
    out.push('|---|--:|--:|');
    for (const x of p.summary.byPlace.slice(0, 14)) out.push(`| ${x.place} | ${Math.round(x.ms)} | ${x.pct.toFixed(1)} |`);
    out.push('');
    out.push('Hottest functions (self time):');
    out.push('');
    out.push('| function | where | ms | % of busy |');
    out.push('|---|---|--:|--:|');
    for (const x of p.summary.byFunction.slice(0, 20)) out.push(`| ${x.name.replace(/\|/g, '\\|')} | ${x.where} | ${Math.round(x.ms)} | ${x.pct.toFixed(1)} |`);
    out.push('');
    out.push(`Profile: \`${p.file}\` (open in Chrome DevTools or speedscope); \`node dist/bench/profile.js <file>\` prints this summary.`);
  }
  return out.join('\n');
}

/** `node dist/bench/run.js --render`: writes BENCHMARKS.md again from bench/.peers/last-results.json. */
function renderOnly(): void {
  const r = JSON.parse(readFileSync(join(PEERS_DIR, 'last-results.json'), 'utf8')) as Results;
  writeReport(r, (Date.parse(r.finishedAt ?? r.startedAt) - Date.parse(r.startedAt)) / 1000);
}

// Ctrl-C: exit normally, so that servers.ts stops the children.
process.on('SIGINT', () => process.exit(130));
process.on('SIGTERM', () => process.exit(143));

(process.argv.includes('--render') ? Promise.resolve().then(renderOnly) : main()).catch((error) => {
  console.error(error);
  process.exit(1);
});
