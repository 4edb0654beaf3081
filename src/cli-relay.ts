import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, unlinkSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import type { Logger } from 'pino';
import type { CliIo } from './cli';
import type { DataDirLock, LockInfo } from './database/data-dir-lock';
import { StartupError } from './startup-error';

/**
 * The CLI's commands, run by the service that holds the embedded data directory: a second
 * process cannot open it (PGlite is one process's), so the CLI sends its command line here and
 * prints the answer. A unix socket in the data directory, and a secret in the lock file (0600):
 * whoever can read that file can read the database files anyway.
 */
const SOCKET_FILE = 'workspace-api.sock';
const MAX_REQUEST_BYTES = 64 * 1024;
/** A client gets this long to send its command line. */
const REQUEST_WAIT_MS = 10_000;

export type RunCommand = (argv: string[], io: CliIo) => Promise<number>;
interface Reply {
  code: number;
  out: string;
  err: string;
}

/** Serves the CLI on a socket beside the lock, and writes where (and the secret) into the lock. */
export async function serveCliRelay(lock: DataDirLock, run: RunCommand, log: Logger): Promise<{ close(): Promise<void> } | undefined> {
  const path = join(dirname(lock.file), SOCKET_FILE);
  const secret = randomBytes(32).toString('hex');
  const server = createServer((socket) => {
    let request = '';
    socket.setEncoding('utf8');
    socket.setTimeout(REQUEST_WAIT_MS, () => socket.destroy());
    socket.on('error', () => undefined);
    socket.on('data', (chunk: string) => {
      request += chunk;
      const end = request.indexOf('\n');
      if (end < 0) {
        if (request.length > MAX_REQUEST_BYTES) socket.destroy();
        return;
      }
      socket.removeAllListeners('data');
      socket.setTimeout(0); // the command itself may take its time
      void answer(request.slice(0, end), secret, run, log)
        .catch((error: Error): Reply => ({ code: 2, out: '', err: `error: ${error.stack}\n` }))
        .then((reply) => socket.end(JSON.stringify(reply) + '\n'));
    });
  });
  try {
    unlinkSync(path); // a socket left by a holder that crashed: we hold the lock now
  } catch {
    // none
  }
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    chmodSync(path, 0o600);
  } catch (error) {
    server.close();
    log.warn({ err: error }, 'the CLI cannot run commands through this service: it will be refused while the service runs');
    return undefined;
  }
  lock.update({ socket: path, secret });
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function answer(line: string, secret: string, run: RunCommand, log: Logger): Promise<Reply> {
  let request: { secret?: unknown; argv?: unknown };
  try {
    request = JSON.parse(line);
  } catch {
    return { code: 1, out: '', err: 'error: not a command\n' };
  }
  const given = Buffer.from(typeof request.secret === 'string' ? request.secret : '');
  const expected = Buffer.from(secret);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { code: 1, out: '', err: 'error: wrong secret\n' };
  const argv = request.argv;
  if (!Array.isArray(argv) || !argv.every((a) => typeof a === 'string')) return { code: 1, out: '', err: 'error: not a command\n' };
  const reply: Reply = { code: 0, out: '', err: '' };
  reply.code = await run(argv, { out: (t) => void (reply.out += t), err: (t) => void (reply.err += t) });
  log.info({ command: argv[0], code: reply.code }, 'CLI command run');
  return reply;
}

/** Sends a command line to the service holding the lock; prints its answer; answers its exit status. */
export function relayToService(held: LockInfo, argv: string[], io: CliIo): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(held.socket!);
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write(JSON.stringify({ secret: held.secret, argv }) + '\n'));
    socket.on('data', (chunk: string) => void (reply += chunk));
    socket.on('error', (error: NodeJS.ErrnoException) =>
      reject(new StartupError(`the service (pid ${held.pid}) holds the data directory but does not answer on ${held.socket} (${error.code ?? error.message}): stop it, or try again`)),
    );
    socket.on('end', () => {
      let parsed: Reply;
      try {
        parsed = JSON.parse(reply);
      } catch {
        // It may have stopped during the command: whether the command took effect is unknown.
        reject(new StartupError(`the service (pid ${held.pid}) closed the connection before answering: check whether the command took effect`));
        return;
      }
      io.out(parsed.out);
      io.err(parsed.err);
      resolve(parsed.code);
    });
  });
}
