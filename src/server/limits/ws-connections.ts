import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { SharedRedis } from './redis';

/** How long a connection counts in Redis after its instance last vouched for it (a crashed instance's stop counting then). */
const CONNECTION_TTL_MS = 30_000;
const REFRESH_MS = 10_000;

/**
 * Admits a connection when the person's unexpired connections, across instances, are fewer
 * than `max`. One sorted set per person: members `<instance>:<socket>`, scored by when they
 * expire (Redis's clock, so instances' clocks do not matter).
 */
const ADMIT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

/** Pushes the expiry of this instance's members of one set (adding any admitted while Redis was away). */
const REFRESH = `
local t = redis.call('TIME')
local expiry = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], expiry, ARGV[i]) end
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return 1`;

export interface ConnectionCounter {
  /** Counts a new connection of the person; false (not counted) at the limit. */
  admit(userId: string, socketId: string): Promise<boolean>;
  release(userId: string, socketId: string): void;
  /** Stops the refresh and takes this instance's connections out of Redis. */
  close(): Promise<void>;
}

/**
 * WS_MAX_CONNECTIONS_PER_USER: with Redis, counted across instances; without it, or while it
 * does not answer, this instance counts its own.
 */
export function connectionCounter(max: number, redis: SharedRedis | undefined, log: Logger): ConnectionCounter {
  const instance = randomUUID();
  /** This instance's connections, by person. */
  const open = new Map<string, Set<string>>();
  const keyOf = (userId: string) => `wsapi:ws:${userId}`;
  const member = (socketId: string) => `${instance}:${socketId}`;

  const sharedAdmit = async (userId: string, socketId: string): Promise<boolean | undefined> => {
    if (!redis || redis.client.status !== 'ready') return undefined;
    try {
      return (await redis.client.eval(ADMIT, 1, keyOf(userId), max, CONNECTION_TTL_MS, member(socketId))) === 1;
    } catch (error) {
      log.warn({ err: error }, 'WebSocket connection count: Redis failed, counting in-process');
      return undefined;
    }
  };

  const refresh = setInterval(() => {
    if (!redis || redis.client.status !== 'ready') return;
    const pipeline = redis.client.pipeline();
    for (const [userId, sockets] of open) pipeline.eval(REFRESH, 1, keyOf(userId), CONNECTION_TTL_MS, ...[...sockets].map(member));
    pipeline.exec().catch((error) => log.warn({ err: error }, 'WebSocket connection count: refresh failed'));
  }, REFRESH_MS);
  refresh.unref();

  return {
    async admit(userId, socketId) {
      const shared = await sharedAdmit(userId, socketId);
      const mine = open.get(userId) ?? new Set<string>();
      if (!(shared ?? mine.size < max)) return false;
      open.set(userId, mine.add(socketId));
      return true;
    },

    release(userId, socketId) {
      const mine = open.get(userId);
      mine?.delete(socketId);
      if (mine?.size === 0) open.delete(userId);
      if (redis?.client.status === 'ready') redis.client.zrem(keyOf(userId), member(socketId)).catch(() => undefined);
    },

    async close() {
      clearInterval(refresh);
      if (!redis || redis.client.status !== 'ready') return;
      const pipeline = redis.client.pipeline();
      for (const [userId, sockets] of open) pipeline.zrem(keyOf(userId), ...[...sockets].map(member));
      await pipeline.exec().catch(() => undefined);
    },
  };
}
