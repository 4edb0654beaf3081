#!/usr/bin/env node
// Builds (tsc, incremental) only when a source is newer than the last successful build, so
// `npm start`, `npm run cli` and `npm run demo:jobs` start in well under a second when
// nothing changed. The stamp is written only after tsc succeeds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'migrations', 'test', 'bench', 'examples', 'ormconfig.ts', 'tsconfig.json', 'package-lock.json'];

function newestMtime(path) {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    return 0;
  }
  if (!stat.isDirectory()) return path.endsWith('.ts') || path.endsWith('.json') ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...inputs.map((p) => newestMtime(join(root, p))));
if (built === 0 || changed > built) {
  const startedAt = Date.now();
  const tsc = spawnSync('npm', ['run', '-s', 'build'], { cwd: root, stdio: 'inherit' });
  if (tsc.status !== 0) process.exit(tsc.status ?? 1);
  // Stamped with the build's start: a file saved during the build makes the next start build again.
  const startedSeconds = startedAt / 1000;
  writeFileSync(stamp, new Date(startedAt).toISOString() + '\n');
  utimesSync(stamp, startedSeconds, startedSeconds);
}
