import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SECRET } from '../support/harness';

/**
 * The built service and CLI as child processes (needs `npm run build`): one process per
 * embedded data directory, the CLI through the running service, and one-line start-up failures.
 */
const BASE_ENV = { PATH: process.env.PATH, NODE_ENV: 'test', AUTH_JWT_SECRET: TEST_SECRET, SEED_DEMO: 'false', LOG_LEVEL: 'info', PORT: '0' };
const lines = (text: string) => text.split('\n').filter((line) => line.trim() !== '');

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a built script to its end (killed after 20 s). */
function run(script: string, args: string[], env: Record<string, string | undefined>): Promise<Finished> {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], { env: { ...BASE_ENV, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}
const cli = (args: string[], env: Record<string, string | undefined>) => run('dist/src/cli.js', args, env);

interface Service {
  child: ChildProcess;
  port: number;
  gql(query: string, token: string): Promise<any>;
  /** SIGTERM; answers the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the built service; resolves once it listens. */
function startService(env: Record<string, string | undefined>): Promise<Service> {
  const child = spawn(process.execPath, ['dist/src/main.js'], { env: { ...BASE_ENV, ...env } });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const listening = lines(out).map((l) => JSON.parse(l)).find((l) => l.msg === 'workspace-api listening');
      if (!listening) return;
      child.stdout!.removeAllListeners('data');
      child.stdout!.resume();
      const url = `http://127.0.0.1:${listening.port}/graphql`;
      resolve({
        child,
        port: listening.port,
        gql: async (query, token) => {
          const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
          return res.json();
        },
        stop: () => (child.kill('SIGTERM'), exited),
      });
    });
    void exited.then((code) => reject(new Error(`the service exited (${code}) before listening: ${stderr}`)));
  });
}

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'wsapi-startup-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const built = existsSync('dist/src/main.js') && existsSync('dist/src/cli.js');
(built ? describe : describe.skip)('one process per embedded data directory', () => {
  it('refuses a second service in one line naming the holder; the CLI runs through the service, and its work survives a restart', async () => {
    const env = { DATA_DIR: dataDir };
    const service = await startService(env);
    const restarted: Service[] = [];
    try {
      const second = await run('dist/src/main.js', [], env);
      expect(second.code).toBe(1);
      expect(lines(second.stdout)).toEqual([]);
      expect(lines(second.stderr)).toEqual([
        expect.stringMatching(new RegExp(`^cannot start: DATA_DIR .+ is in use by pid ${service.child.pid} \\(the service on port ${service.port}\\): stop it, or .*DATABASE_URL`)),
      ]);
      expect(second.ms).toBeLessThan(5_000);

      const made = await cli(['create-workspace', '--name', 'Made by the CLI', '--admin-email', 'operator@ops.test'], env);
      expect(made).toMatchObject({ code: 0, stderr: '' });
      expect(lines(made.stdout)).toHaveLength(1);
      const { workspaceId } = JSON.parse(made.stdout);
      const minted = await cli(['token', '--email', 'operator@ops.test'], env);
      expect(minted).toMatchObject({ code: 0, stderr: '' });
      const token = minted.stdout.trim();
      const query = `{ viewer { workspaces { id name viewerRole } } }`;
      const expected = { data: { viewer: { workspaces: [{ id: workspaceId, name: 'Made by the CLI', viewerRole: 'ADMIN' }] } } };
      expect(await service.gql(query, token)).toEqual(expected);

      expect(await service.stop()).toBe(0);
      expect(existsSync(join(dataDir, 'workspace-api.lock'))).toBe(false);
      restarted.push(await startService(env));
      expect(await restarted[0].gql(query, token)).toEqual(expected);
    } finally {
      await Promise.all([service, ...restarted].map((s) => (s.child.exitCode === null ? s.stop() : undefined)));
    }
  });

  it('takes over a stale lock whose pid is dead on this host', async () => {
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const lock = { pid: deadPid, host: hostname(), startedAt: new Date().toISOString(), holder: 'the service on port 4000', token: 'old' };
    writeFileSync(join(dataDir, 'workspace-api.lock'), JSON.stringify(lock));
    const res = await cli(['migrate'], { DATA_DIR: dataDir });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(lines(res.stdout)[0]).toMatch(/^migrated: /);
    expect(existsSync(join(dataDir, 'workspace-api.lock'))).toBe(false);
  });

  it("refuses a lock from another host in one line, as it cannot tell whether its holder is alive", async () => {
    const lock = { pid: 4242, host: 'elsewhere', startedAt: new Date().toISOString(), holder: 'the CLI (migrate)', token: 'theirs' };
    writeFileSync(join(dataDir, 'workspace-api.lock'), JSON.stringify(lock));
    const res = await cli(['migrate'], { DATA_DIR: dataDir });
    expect(res.code).toBe(1);
    expect(lines(res.stderr)).toEqual([expect.stringMatching(/^error: DATA_DIR .+ is locked by pid 4242 on host elsewhere \(the CLI \(migrate\)\): if that process is gone, delete .+workspace-api\.lock$/)]);
    expect(res.stdout).toBe('');
  });
});

/** A port held by a server of the test (all interfaces, as the service listens), or closed again. */
async function holdPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { port: (server.address() as { port: number }).port, server };
}

(built ? describe : describe.skip)('start-up failures: one line, exit code 1', () => {
  it('names PORT when the port is in use', async () => {
    const { port, server } = await holdPort();
    try {
      const res = await run('dist/src/main.js', [], { DATABASE_URL: 'memory', PORT: String(port) });
      expect(res.code).toBe(1);
      expect(lines(res.stderr)).toEqual([`cannot start: PORT ${port} is in use: stop what holds it or set PORT`]);
      expect(lines(res.stdout)).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('retries an unreachable database with backoff, then names DATABASE_URL by host:port only', async () => {
    const { port, server } = await holdPort();
    await new Promise((resolve) => server.close(resolve)); // a closed port: connections are refused
    const res = await run('dist/src/main.js', [], { DATABASE_URL: `postgres://app:hunter2-secret@127.0.0.1:${port}/app`, DB_STARTUP_TIMEOUT_MS: '1500' });
    expect(res.code).toBe(1);
    const attempts = lines(res.stdout).map((l) => JSON.parse(l).msg);
    expect(attempts.length).toBeGreaterThanOrEqual(3);
    for (const msg of attempts) expect(msg).toMatch(new RegExp(`^database 127\\.0\\.0\\.1:${port} unreachable \\(ECONNREFUSED\\), attempt \\d+: retrying in \\d+ ms$`));
    expect(lines(res.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^cannot start: DATABASE_URL 127\\.0\\.0\\.1:${port} is unreachable \\(ECONNREFUSED\\) after \\d+ attempts in 1\\.5 s: .*DB_STARTUP_TIMEOUT_MS$`)),
    ]);
    expect(res.stdout + res.stderr).not.toContain('hunter2');
    expect(res.ms).toBeGreaterThanOrEqual(1_500);
    expect(res.ms).toBeLessThan(6_000);
  });
});
