import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JWT_SECRET, NODE22_PACKAGE, PEERS_DIR, PORTS, POOL_SIZE, POSTGRAPHILE_VERSION, ROOT } from './config';
import type { TargetId } from './scenarios';

/** A server under test, run as a child process so that its CPU time is its own. */
export interface Running {
  target: TargetId;
  port: number;
  pid: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

const POSTGRAPHILE_DIR = PEERS_DIR;
const POSTGRAPHILE_CONFIG = `// Written by bench/servers.ts. The amber preset, with filtering and ordering on every column
// (the default hides unindexed ones; memberships.removed_at has no index of its own).
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
export default { extends: [PostGraphileAmberPreset], disablePlugins: ['PgIndexBehaviorsPlugin'] };
`;

/** PostGraphile 5 and a Node 22 binary in bench/.peers (gitignored), installed on first use. */
export function ensurePostGraphile(log: (msg: string) => void): { node: string; cli: string } {
  const node = join(POSTGRAPHILE_DIR, 'node_modules', '.bin', 'node');
  const cli = join(POSTGRAPHILE_DIR, 'node_modules', 'postgraphile', 'dist', 'cli-run.js');
  const pkg = join(POSTGRAPHILE_DIR, 'node_modules', 'postgraphile', 'package.json');
  const installed = existsSync(node) && existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === POSTGRAPHILE_VERSION;
  if (!installed) {
    log(`installing ${NODE22_PACKAGE} and postgraphile@${POSTGRAPHILE_VERSION} in ${POSTGRAPHILE_DIR} (first run only)`);
    mkdirSync(POSTGRAPHILE_DIR, { recursive: true });
    if (!existsSync(join(POSTGRAPHILE_DIR, 'package.json'))) {
      writeFileSync(join(POSTGRAPHILE_DIR, 'package.json'), JSON.stringify({ name: 'bench-peers', private: true }, null, 2));
    }
    const r = spawnSync('npm', ['i', '--no-audit', '--no-fund', '--save-exact', NODE22_PACKAGE, `postgraphile@${POSTGRAPHILE_VERSION}`], {
      cwd: POSTGRAPHILE_DIR,
      stdio: 'inherit',
    });
    if (r.status !== 0) throw new Error('npm install of the PostGraphile peer failed');
  }
  writeFileSync(join(POSTGRAPHILE_DIR, 'graphile.config.mjs'), POSTGRAPHILE_CONFIG);
  // The real binary (not a wrapper), so that the pid we measure is PostGraphile's.
  return { node: realpathSync(node), cli };
}

export interface StartOptions {
  databaseUrl: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
  cwd?: string;
}

export async function startTarget(target: TargetId, options: StartOptions, log: (msg: string) => void): Promise<Running> {
  const common = { POOL_SIZE: String(POOL_SIZE), AUTH_JWT_SECRET: JWT_SECRET, DATABASE_URL: options.databaseUrl };
  const flags = options.nodeFlags ?? [];
  let child: ChildProcess;
  let port: number;
  switch (target) {
    case 'service':
      port = PORTS.service;
      // BENCH_SERVICE_MAIN and BENCH_SERVICE_NODE_FLAGS measure another build or node flags (experiments).
      child = spawn(process.execPath, [...flags, ...(process.env.BENCH_SERVICE_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), process.env.BENCH_SERVICE_MAIN ?? join(ROOT, 'dist', 'src', 'main.js')], {
        cwd: options.cwd ?? ROOT,
        env: {
          ...process.env,
          ...common,
          PORT: String(port),
          NODE_ENV: 'production',
          LOG_LEVEL: 'warn',
          SEED_DEMO: 'false',
          DB_POOL_SIZE: String(POOL_SIZE),
          // One person sends every request, each charged its estimated cost in points: the
          // per-user limit (100,000 a minute) would refuse most of them. The limiter still runs
          // (and costs what it costs), with a limit out of reach.
          RATE_LIMIT_POINTS: '1000000000',
          // S1 reads every person's whole list of roles (up to 1,000 each): priced past the default
          // limit (docs/api.md, "Limits and costs"). The estimate still runs, with a limit out of reach.
          GRAPHQL_MAX_COST: '100000000',
          REDIS_URL: '',
          // S4's feed subscribers all sign in as the ADMIN (the default allows 20 sockets a person).
          WS_MAX_CONNECTIONS_PER_USER: '10000',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      break;
    case 'postgraphile': {
      port = PORTS.postgraphile;
      const { node, cli } = ensurePostGraphile(log);
      child = spawn(node, [...flags, cli, '-C', 'graphile.config.mjs', '-c', options.databaseUrl, '-s', 'public', '-p', String(port), '-n', '127.0.0.1'], {
        cwd: POSTGRAPHILE_DIR,
        env: { ...process.env, NODE_ENV: 'production', GRAPHILE_ENV: 'production' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      break;
    }
    case 'floor':
      port = PORTS.floor;
      child = spawn(process.execPath, [...flags, join(ROOT, 'dist', 'bench', 'floor-server.js')], {
        env: { ...process.env, ...common, PORT: String(port) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      break;
    case 'graphqljs':
      port = PORTS.graphqljs;
      child = spawn(process.execPath, [...flags, join(ROOT, 'dist', 'bench', 'graphql-js-server.js')], {
        env: { ...process.env, ...common, PORT: String(port) },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      break;
  }
  let exited = false;
  live.add(child);
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), live.delete(child), resolve())));
  const running: Running = {
    target,
    port,
    pid: child.pid!,
    child,
    stop: async () => {
      if (exited) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exit;
      clearTimeout(timer);
    },
  };
  await waitReady(running, () => exited);
  return running;
}

/** Children still running: killed if the runner itself ends early (an error), never left behind. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

async function waitReady(running: Running, exited: () => boolean): Promise<void> {
  const deadline = Date.now() + 90_000;
  const probe =
    running.target === 'postgraphile'
      ? () => fetch(`http://127.0.0.1:${running.port}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' })
      : () => fetch(`http://127.0.0.1:${running.port}/healthz`, { method: running.target === 'service' ? 'GET' : 'POST' });
  for (;;) {
    if (exited()) throw new Error(`${running.target} exited before it was ready`);
    try {
      const res = await probe();
      await res.text();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${running.target} was not ready within 90 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** CPU time (user + system) of a process, in milliseconds, from /proc. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
