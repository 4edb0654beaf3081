import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

/**
 * The request being served (its id, and a logger carrying it), for code that runs on its behalf
 * but is not handed its context: Apollo's formatError, the HTTP error handler, trace spans.
 */
interface CurrentRequest {
  requestId: string;
  log: Logger;
}

const current = new AsyncLocalStorage<CurrentRequest>();

export function withRequest<T>(request: CurrentRequest, run: () => T): T {
  return current.run(request, run);
}

/** The current request's logger, or `fallback` outside any request. */
export function requestLog(fallback: Logger): Logger {
  return current.getStore()?.log ?? fallback;
}

/** The current request's id, if any. */
export function currentRequestId(): string | undefined {
  return current.getStore()?.requestId;
}
