import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirInUse, LOCK_FILE, lockDataDir } from '../../src/database/data-dir-lock';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'wsapi-lock-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the data directory lock', () => {
  it('is exclusive, names its holder, is readable by its owner only, and is free again once released', () => {
    const lock = lockDataDir(dir, 'the service on port 4000');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8'))).toMatchObject({ pid: process.pid, host: hostname(), holder: 'the service on port 4000' });
    expect(statSync(join(dir, LOCK_FILE)).mode & 0o777).toBe(0o600);
    expect(() => lockDataDir(dir, 'the CLI (migrate)')).toThrow(new DataDirInUse(`DATA_DIR ${dir} is in use by pid ${process.pid} (the service on port 4000): stop it, or set DATA_DIR to another directory or DATABASE_URL to a PostgreSQL server`, null));
    lock.update({ holder: 'the service on port 4321' });
    expect(() => lockDataDir(dir, 'the CLI (migrate)')).toThrow(/the service on port 4321/);
    lock.release();
    expect(existsSync(join(dir, LOCK_FILE))).toBe(false);
    lockDataDir(dir, 'the CLI (migrate)').release();
  });

  it('takes over a lock with its own pid that it does not hold (a restarted container, pid 1 again)', () => {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '', holder: 'the service on port 4000', token: 'before' }));
    const lock = lockDataDir(dir, 'the CLI (migrate)');
    expect(JSON.parse(readFileSync(join(dir, LOCK_FILE), 'utf8')).holder).toBe('the CLI (migrate)');
    lock.release();
  });

  it('never removes a lock that is no longer its own', () => {
    const lock = lockDataDir(dir, 'the CLI (migrate)');
    const theirs = JSON.stringify({ pid: 1, host: hostname(), startedAt: '', holder: 'the service on port 4000', token: 'theirs' });
    writeFileSync(join(dir, LOCK_FILE), theirs);
    lock.release();
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(theirs);
  });
});
