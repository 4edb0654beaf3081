import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/**
 * The logger of the request being served (a child carrying its requestId), for code that runs
 * on its behalf but is not handed its context: Apollo's formatError, the HTTP error handler.
 */
const current = new AsyncLocalStorage<Logger>();

export function withRequestLog<T>(log: Logger, run: () => T): T {
  return current.run(log, run);
}

/** The current request's logger, or `fallback` outside any request. */
export function requestLog(fallback: Logger): Logger {
  return current.getStore() ?? fallback;
}
