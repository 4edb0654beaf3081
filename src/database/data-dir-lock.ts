import { randomUUID } from 'node:crypto';
import { linkSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { StartupError } from '../startup-error';

/**
 * One process per embedded data directory: PGlite is one process's database, and a second one
 * on the same files sees none of the first's writes and loses its own. Whoever opens the
 * directory holds `workspace-api.lock` in it until it closes it or exits.
 */
export const LOCK_FILE = 'workspace-api.lock';

export interface LockInfo {
  pid: number;
  host: string;
  startedAt: string;
  /** What holds it, as a refusal names it: "the service on port 4000", "the CLI (migrate)". */
  holder: string;
  /** Tells our own lock from a later holder's when releasing. */
  token: string;
  /** Where the service takes the CLI's commands (src/cli-relay.ts), and the secret they need. */
  socket?: string;
  secret?: string;
}

export interface DataDirLock {
  readonly file: string;
  readonly info: LockInfo;
  /** Rewrites the lock with more about its holder (atomically: readers see the old or the new). */
  update(fields: Partial<Pick<LockInfo, 'holder' | 'socket' | 'secret'>>): void;
  release(): void;
}

/** The refusal: the directory is someone else's. `held` is what its lock says (null: unreadable). */
export class DataDirInUse extends StartupError {
  constructor(
    message: string,
    readonly held: LockInfo | null,
  ) {
    super(message);
  }
}

/** Locks this process holds, released on exit (process.exit, a signal handler's exit, a crash's). */
const held = new Map<string, DataDirLock>();
let exitHookInstalled = false;

export function lockDataDir(dataDir: string, holder: string): DataDirLock {
  const file = resolve(join(dataDir, LOCK_FILE));
  const info: LockInfo = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), holder, token: randomUUID() };
  // A few rounds: a stale lock removed, or a holder gone between our attempts, is tried again.
  for (let round = 0; round < 3; round++) {
    if (create(file, info)) return remember(file, info);
    const current = read(file);
    if (current === 'missing') continue;
    if (current === 'unreadable') throw new DataDirInUse(`DATA_DIR ${dataDir} is locked (${file} is unreadable): if no process uses it, delete that file`, null);
    if (current.host !== info.host) {
      throw new DataDirInUse(
        `DATA_DIR ${dataDir} is locked by pid ${current.pid} on host ${current.host} (${current.holder}): if that process is gone, delete ${file}`,
        current,
      );
    }
    if (!isStale(file, current)) {
      throw new DataDirInUse(
        `DATA_DIR ${dataDir} is in use by pid ${current.pid} (${current.holder}): stop it, or set DATA_DIR to another directory or DATABASE_URL to a PostgreSQL server`,
        current,
      );
    }
    takeOver(file, current);
  }
  throw new DataDirInUse(`DATA_DIR ${dataDir} is being locked by another process: try again`, null);
}

/** Creates the lock only if there is none: the content is complete before the name appears (link). */
function create(file: string, info: LockInfo): boolean {
  const draft = `${file}.${info.pid}.${info.token}`;
  writeFileSync(draft, JSON.stringify(info), { mode: 0o600 });
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(draft);
  }
}

function read(file: string): LockInfo | 'missing' | 'unreadable' {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    return 'unreadable';
  }
  try {
    const info = JSON.parse(text) as LockInfo;
    return Number.isInteger(info.pid) && typeof info.host === 'string' ? info : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Its pid is dead, or is ours without our holding it (a container's pid 1 from a run before). */
function isStale(file: string, info: LockInfo): boolean {
  if (info.pid === process.pid) return held.get(file)?.info.token !== info.token;
  try {
    process.kill(info.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes a stale lock. Two processes finding the same stale lock must not both remove it (the
 * second would remove the first's new lock), so the removal happens under a second lock file.
 */
function takeOver(file: string, stale: LockInfo): void {
  const guard = `${file}.takeover`;
  try {
    writeFileSync(guard, String(process.pid), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new DataDirInUse(`${file} is being taken over by another process: try again (delete ${guard} if no process is starting)`, stale);
  }
  try {
    const current = read(file);
    if (typeof current === 'object' && current.token === stale.token) unlinkSync(file);
  } finally {
    unlinkSync(guard);
  }
}

function remember(file: string, info: LockInfo): DataDirLock {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const lock of [...held.values()]) lock.release();
    });
  }
  const lock: DataDirLock = {
    file,
    info,
    update(fields) {
      Object.assign(info, fields);
      const draft = `${file}.${info.pid}.${info.token}`;
      writeFileSync(draft, JSON.stringify(info), { mode: 0o600 });
      renameSync(draft, file);
    },
    release() {
      if (held.get(file) !== lock) return;
      held.delete(file);
      const current = read(file);
      // Only our own: never a lock someone took over from us.
      if (typeof current === 'object' && current.token === info.token) unlinkSync(file);
    },
  };
  held.set(file, lock);
  return lock;
}
