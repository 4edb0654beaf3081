import pg from 'pg';
import type { Logger } from 'pino';
import { StartupError } from '../startup-error';

/** Errors of a server not (yet) there: worth another try while it starts. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);
/** SQLSTATEs of a server that answers but takes no connection yet: starting up, too many clients. */
const NOT_YET = new Set(['57P03', '53300']);

/** Where DATABASE_URL points, for messages: host:port, never the user or password. */
export function databaseAddress(url: string): string {
  try {
    const u = new URL(url);
    const host = u.hostname || u.searchParams.get('host') || 'localhost';
    return `${host}:${u.port || 5432}`;
  } catch {
    return '(unparsable URL)';
  }
}

/** Why a connection failed, in a few words ("ECONNREFUSED"), when the server could not be reached. */
export function unreachableReason(error: unknown): string | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && (UNREACHABLE.has(code) || NOT_YET.has(code))) return NOT_YET.has(code) ? String(e?.message) : code;
  // pg's own: "timeout expired" (a client's connect), "Connection terminated ..." (a pool's, a dropped socket).
  if (typeof e?.message === 'string' && /^(timeout expired|Connection terminated)/.test(e.message)) return e.message;
  return undefined;
}

/**
 * Waits for PostgreSQL to take a connection, as a service started beside its database must:
 * retries with exponential backoff and jitter until `timeoutMs` has passed, one log line per
 * failed attempt, then gives up with one line naming DATABASE_URL. A server that answers with
 * a refusal (a wrong password, no such database) is not retried.
 */
export async function waitForDatabase(url: string, options: { timeoutMs: number; connectTimeoutMs: number; log: Logger }): Promise<void> {
  const where = databaseAddress(url);
  const deadline = Date.now() + options.timeoutMs;
  for (let attempt = 1; ; attempt++) {
    // Each attempt's connect waits no longer than the time left, but gets a fair chance (1 s).
    const left = Math.min(options.connectTimeoutMs, Math.max(1_000, deadline - Date.now()));
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: left, application_name: 'workspace-api-startup' });
    client.on('error', () => undefined); // a late socket error of a failed attempt is no crash
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      const reason = unreachableReason(error);
      if (!reason) {
        const code = (error as { code?: unknown }).code;
        // The server answered and refused (SQLSTATE): a configuration to fix, not a bug.
        if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) throw new StartupError(`DATABASE_URL ${where}: ${(error as Error).message}`);
        throw error;
      }
      const wait = Math.min(backoff(attempt), deadline - Date.now());
      if (wait <= 0) {
        const waited = `${attempt} attempt${attempt === 1 ? '' : 's'} in ${options.timeoutMs / 1000} s`;
        throw new StartupError(`DATABASE_URL ${where} is unreachable (${reason}) after ${waited}: start the database, fix DATABASE_URL or raise DB_STARTUP_TIMEOUT_MS`);
      }
      options.log.warn(`database ${where} unreachable (${reason}), attempt ${attempt}: retrying in ${wait} ms`);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

/** 200 ms doubling up to 5 s, each delay drawn from its upper half (jitter: instances do not retry in step). */
function backoff(attempt: number): number {
  const ceiling = Math.min(5_000, 200 * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}
