import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Limits } from '../../config';
import { AppError } from '../errors';

/** Who is counted: a signed-in person by their id, anyone else by their IP address. */
export type RateKey = { userId: string } | { ip: string };

export interface OperationRateLimiter {
  /** Counts one operation; throws RATE_LIMITED (with retryAfter seconds) past the limit. */
  consume(key: RateKey): Promise<void>;
  /** Resolves once Redis (if any) is connected, or after `ms` without it: counting goes on in-process meanwhile. */
  ready(ms?: number): Promise<void>;
  close(): Promise<void>;
}

export function rateLimited(retryAfterSeconds: number, message = 'Too many operations; try again later'): AppError {
  return new AppError('RATE_LIMITED', message, {
    retryAfter: retryAfterSeconds,
    http: { status: 429, headers: new Map([['retry-after', String(retryAfterSeconds)]]) },
  });
}

/**
 * Per-user (and per-IP for anonymous requests) operation counters, fixed windows of
 * RATE_LIMIT_WINDOW_SECONDS. With REDIS_URL the counters live in Redis, so every instance
 * shares them; if Redis fails, each instance falls back to its own counters (the insurance
 * limiter) rather than refusing or letting everything through. Without REDIS_URL: in-process.
 */
export function createRateLimiter(limits: Limits, redisUrl: string | undefined, log: Logger): OperationRateLimiter {
  const duration = limits.rateLimitWindowSeconds;
  let redis: Redis | undefined;
  const make = (points: number, prefix: string): RateLimiterAbstract | null => {
    if (points === 0) return null;
    const memory = new RateLimiterMemory({ points, duration, keyPrefix: prefix });
    if (!redis) return memory;
    return new RateLimiterRedis({ storeClient: redis, points, duration, keyPrefix: `wsapi:rl:${prefix}`, insuranceLimiter: memory });
  };
  if (redisUrl && (limits.rateLimitOperations > 0 || limits.rateLimitAnonymousOperations > 0)) {
    // No offline queue: while Redis is away, commands fail at once and the insurance limiter counts.
    redis = new Redis(redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
    let warned = false;
    redis.on('error', (error) => {
      if (!warned) log.warn({ err: error }, 'rate limits: Redis unavailable, counting in-process');
      warned = true;
    });
    redis.on('ready', () => {
      warned = false;
    });
  }
  const users = make(limits.rateLimitOperations, 'user');
  const anonymous = make(limits.rateLimitAnonymousOperations, 'ip');

  return {
    async consume(key) {
      const limiter = 'userId' in key ? users : anonymous;
      if (!limiter) return;
      try {
        await limiter.consume('userId' in key ? key.userId : key.ip);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) throw rateLimited(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
        // The store failed and no insurance answered: do not refuse the user for our fault.
        log.warn({ err: rejection }, 'rate limiter failed');
      }
    },
    async ready(ms = 3_000) {
      if (!redis || redis.status === 'ready') return;
      const client = redis;
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.off('ready', done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        client.once('ready', done);
      });
    },
    async close() {
      if (redis) redis.disconnect();
    },
  };
}
