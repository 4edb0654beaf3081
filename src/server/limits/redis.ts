import { Redis } from 'ioredis';
import type { Logger } from 'pino';

/**
 * The Redis client the limits share (rate-limit counters, WebSocket connections per person).
 * No offline queue: while Redis is away, commands fail at once and each limit counts in-process.
 */
export interface SharedRedis {
  client: Redis;
  /** Resolves once connected, or after `ms` without it: the limits count in-process meanwhile. */
  ready(ms?: number): Promise<void>;
  close(): void;
}

export function connectRedis(url: string, log: Logger): SharedRedis {
  const client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  let warned = false;
  client.on('error', (error) => {
    if (!warned) log.warn({ err: error }, 'limits: Redis unavailable, counting in-process');
    warned = true;
  });
  client.on('ready', () => {
    warned = false;
  });
  return {
    client,
    async ready(ms = 3_000) {
      if (client.status === 'ready') return;
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
    close() {
      client.disconnect();
    },
  };
}
