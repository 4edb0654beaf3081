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
  POSTGRAPHILE_VERSION, ROOT, WARMUP_S, withDatabase,
} from './config';
import { runLoad, type LoadResult } from './load';
import { PgCounter } from './pg-counter';
import { attachProfiler, summariseProfile, type ProfileSummary } from './profile';
import { describe, difference, normalise, PLAN, requestFor, type ScenarioId, type TargetId } from './scenarios';
import { seedBenchDatabase, type Seeded } from './seed';
import { cpuMs, ensurePostGraphile, startTarget, type Running } from './servers';

/**
 * `npm run bench`: seeds the bench database, then for every target (the service, PostGraphile 5,
 * the SQL floor, plain graphql-js) and scenario (S1, S2, S3):
 *  1. check: the target runs behind a counting proxy; its answer is compared with the others'
 *     (normalised), and the SQL statements of COUNT_REQUESTS sequential requests are counted;
 *  2. load: the target runs again, connected directly; at each concurrency, WARMUP_S seconds of
 *     unmeasured load, then DURATION_S measured, with the server's CPU (/proc/<pid>/stat) and the
 *     CPU of its PostgreSQL backends read before and after;
 *  3. a CPU profile of the service on S1, summarised;
 * and writes the results into BENCHMARKS.md (between the result markers) and
 * bench/.peers/last-results.json.
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
  profile?: { file: string; summary: ProfileSummary; rps: number; connections: number };
}

async function main(): Promise<void> {
  const started = Date.now();
  const only = process.env.BENCH_ONLY?.split(',') as TargetId[] | undefined;
  const results: Results = {
    startedAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: {},
    settings: { durationS: DURATION_S, warmupS: WARMUP_S, concurrencies: CONCURRENCIES, countRequests: COUNT_REQUESTS, database: BENCH_DB },
    seeded: {},
    checks: {},
    comparisons: [],
    measured: [],
  };
  const pgPeer = ensurePostGraphile(log);
  results.versions = versions(pgPeer.node);
  log(`machine: ${JSON.stringify(results.machine)}`);

  const seeded = await seedBenchDatabase(log);
  results.seeded = seeded.counts;
  const token = await mintToken(JWT_SECRET, { sub: seeded.admin.subject, email: seeded.admin.email, name: seeded.admin.name }, '2h');
  const headersFor = (auth: boolean): Record<string, string> => (auth ? { authorization: `Bearer ${token}` } : {});

  const targets = (['service', 'floor', 'postgraphile', 'graphqljs'] as TargetId[]).filter((t) => !only || only.includes(t));
  const scenariosOf = (t: TargetId) => (Object.keys(PLAN) as ScenarioId[]).filter((s) => PLAN[s].includes(t));

  // 1. Check answers and count statements, each target behind the counting proxy.
  const counter = new PgCounter(PORTS.proxy, { host: new URL(PG_ADMIN_URL).hostname, port: Number(new URL(PG_ADMIN_URL).port || 5432) });
  await counter.start();
  const proxied = new URL(withDatabase(PG_ADMIN_URL, BENCH_DB));
  proxied.hostname = '127.0.0.1';
  proxied.port = String(PORTS.proxy);
  const proxyUrl = proxied.toString();
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
  results.comparisons = compareAnswers(results.checks);
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
          const load = { url: `http://127.0.0.1:${server.port}${req.path}`, body: req.body, headers: headersFor(req.auth), expectedBytes };
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
  } finally {
    await monitor.end();
  }

  // 3. Where the service's CPU goes on S1.
  if (process.env.BENCH_PROFILE !== '0' && targets.includes('service') && results.checks['S1/service']?.ok) {
    results.profile = await profileService(seeded.workspaceId, headersFor);
  }

  results.finishedAt = new Date().toISOString();
  mkdirSync(PEERS_DIR, { recursive: true });
  writeFileSync(join(PEERS_DIR, 'last-results.json'), JSON.stringify(results, null, 2));
  writeReport(results, (Date.now() - started) / 1000);
  log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; results in BENCHMARKS.md and bench/.peers/last-results.json`);
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
  headersFor: (auth: boolean) => Record<string, string>,
  counter: PgCounter,
): Promise<Check> {
  const req = requestFor(target, scenario, workspaceId);
  const url = `http://127.0.0.1:${server.port}${req.path}`;
  const headers = headersFor(req.auth);
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

/** CPU (ms) of the server process, of each PostgreSQL backend connected to the bench database, and of the whole machine. */
async function sample(monitor: pg.Client, serverPid: number): Promise<{ server: number; pg: Map<number, number>; total: number }> {
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

async function profileService(workspaceId: string, headersFor: (auth: boolean) => Record<string, string>): Promise<Results['profile']> {
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
    const load = { url: `http://127.0.0.1:${server.port}${req.path}`, body: req.body, headers: headersFor(req.auth) };
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

function versions(node22: string): Record<string, string> {
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
    'node (PostGraphile)': execFileSync(node22, ['-v'], { encoding: 'utf8' }).trim(),
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

function renderResults(r: Results, seconds: number): string {
  const out: string[] = [];
  out.push(`## Last run: ${r.startedAt.slice(0, 16).replace('T', ' ')} UTC (${Math.round(seconds)} s)`);
  out.push('');
  out.push('Command: `npm run bench` (from the project folder; PostgreSQL on 127.0.0.1:5432).');
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
        if (fl) targets.push(`S1 c=${c}: service/floor ${ratio(sv.rps, fl.rps)} (target ≥ 0.5x) ${sv.rps >= 0.5 * fl.rps ? 'met' : '**missed**'}`);
      }
      if (s === 'S2' && gj) targets.push(`S2 c=${c}: service/graphql-js ${ratio(sv.rps, gj.rps)} (target ≥ 0.7x) ${sv.rps >= 0.7 * gj.rps ? 'met' : '**missed**'}`);
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
