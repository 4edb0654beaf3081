import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Limits } from '../../config';
import { AppError } from '../errors';
import type { SharedRedis } from './redis';

/** Who is counted: a signed-in person by their id, anyone else by their IP address. */
export type RateKey = { userId: string } | { ip: string };

/** A counter after an operation was counted (Query.rateLimit, the RateLimit-* headers). */
export interface RateLimitState {
  /** Points per window; null: no limit. */
  limit: number | null;
  remaining: number;
  /** What the operation was charged. */
  cost: number;
  resetAt: Date;
}

export interface OperationRateLimiter {
  /** Charges `points` (at least 1); throws RATE_LIMITED (retryAfter, 429) past the limit. */
  consume(key: RateKey, points: number): Promise<RateLimitState>;
}

/** The IETF draft's RateLimit-* headers (Reset in seconds); none without a limit. */
export function rateLimitHeaders(state: Pick<RateLimitState, 'limit' | 'remaining' | 'resetAt'>): Array<[string, string]> {
  if (state.limit === null) return [];
  return [
    ['ratelimit-limit', String(state.limit)],
    ['ratelimit-remaining', String(state.remaining)],
    ['ratelimit-reset', String(secondsUntil(state.resetAt))],
  ];
}

const secondsUntil = (at: Date) => Math.max(0, Math.ceil((at.getTime() - Date.now()) / 1000));

/** RATE_LIMITED: HTTP 429 with Retry-After (and `headers`), extensions.retryAfter in seconds. */
export function rateLimited(retryAfterSeconds: number, message: string, extra: Record<string, unknown> = {}, headers: Array<[string, string]> = []): AppError {
  return new AppError('RATE_LIMITED', message, {
    ...extra,
    retryAfter: retryAfterSeconds,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)], ...headers]) },
  });
}

/**
 * Per-user (and per-IP for anonymous requests) point counters, fixed windows of
 * RATE_LIMIT_WINDOW_SECONDS. With Redis the counters live there, so every instance shares
 * them; if Redis fails, each instance falls back to its own counters (the insurance limiter)
 * rather than refusing or letting everything through.
 */
export function createRateLimiter(limits: Limits, redis: SharedRedis | undefined, log: Logger): OperationRateLimiter {
  const duration = limits.rateLimitWindowSeconds;
  const make = (points: number, prefix: string): RateLimiterAbstract | null => {
    if (points === 0) return null;
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: prefix });
    if (!redis) return memory;
    // A new prefix: the old `wsapi:rl:` keys counted operations.
    return new RateLimiterRedis({ storeClient: redis.client, points, duration, keyPrefix: `wsapi:points:${prefix}`, insuranceLimiter: memory });
  };
  const users = make(limits.rateLimitPoints, 'user');
  const anonymous = make(limits.rateLimitAnonymousPoints, 'ip');

  return {
    async consume(key, points) {
      const limiter = 'userId' in key ? users : anonymous;
      const cost = Math.max(1, Math.ceil(points));
      if (!limiter) return { limit: null, remaining: 0, cost, resetAt: new Date(Date.now() + duration * 1000) };
      const limit = limiter.points;
      // An operation priced past the whole window is charged the window: it may run once per window.
      const charged = Math.min(cost, limit);
      const stateOf = (res: RateLimiterRes): RateLimitState => ({
        limit,
        remaining: res.remainingPoints,
        cost: charged,
        resetAt: new Date(Date.now() + res.msBeforeNext),
      });
      try {
        return stateOf(await limiter.consume('userId' in key ? key.userId : key.ip, charged));
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const state = stateOf(rejection);
          const retryAfter = Math.max(1, secondsUntil(state.resetAt));
          throw rateLimited(retryAfter, 'Too many operations; try again later', { limit: 'points', max: limit, cost: charged }, rateLimitHeaders(state));
        }
        // The store failed and no insurance answered: do not refuse the user for our fault.
        log.warn({ err: rejection }, 'rate limiter failed');
        return { limit, remaining: limit, cost: charged, resetAt: new Date(Date.now() + duration * 1000) };
      }
    },
  };
}
