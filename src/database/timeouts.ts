import pg from 'pg';

const DROPPED = 'Connection dropped: the database did not answer in time';

/** What pg and pg-pool (and TimeoutClient) say when the database did not answer in time. */
const TIMEOUT_MESSAGES = new Set([
  'Query read timeout', // query_timeout
  'timeout exceeded when trying to connect', // a full pool's wait, past connectionTimeoutMillis
  'Connection terminated due to connection timeout', // a new connection, past connectionTimeoutMillis
  DROPPED,
]);

/** Whether an error (or one it wraps: TypeORM's driverError, GraphQL's originalError, a cause) is a database timeout. */
export function isDatabaseTimeout(error: unknown): boolean {
  for (let e = error as Record<string, unknown> | null | undefined, depth = 0; e && depth < 6; depth++) {
    if (e instanceof Error && TIMEOUT_MESSAGES.has(e.message)) return true;
    e = (e.driverError ?? e.originalError ?? e.cause) as Record<string, unknown> | undefined;
  }
  return false;
}

/**
 * A pg.Client that drops its connection when a query times out client-side. pg answers the
 * caller with "Query read timeout" but leaves the query on the wire: back in the pool, the
 * client would queue every later query behind one that never answers. end() marks it ended at
 * once (pg-pool then removes it instead of reusing it) and the socket is destroyed, not closed
 * politely through a peer that no longer answers.
 */
export class TimeoutClient extends pg.Client {
  private dropped = false;

  override query(...args: any[]): any {
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (error: Error | null, result?: unknown) => void;
      args[last] = (error: Error | null, result?: unknown) => callback(error && this.failed(error), result);
      return (super.query as (...a: unknown[]) => unknown)(...args);
    }
    const result = (super.query as (...a: unknown[]) => unknown)(...args);
    if (!(result instanceof Promise)) return result;
    return result.catch((error: Error) => {
      throw this.failed(error);
    });
  }

  /** Drops the connection on a timeout; the other queries it had fail as timed out too, not as a lost connection. */
  private failed(error: Error): Error {
    if (error.message === 'Query read timeout') {
      if (!this.dropped) {
        this.dropped = true;
        this.end().catch(() => undefined);
        this.connection.stream.destroy();
      }
      return error;
    }
    return this.dropped ? new Error(DROPPED, { cause: error }) : error;
  }
}
