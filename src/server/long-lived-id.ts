import { randomUUID } from 'node:crypto';

/**
 * A random UUID for an id kept as long as a connection or a subscription. randomUUID's string is
 * built by ~20 concatenations, which V8 keeps as a tree of pieces (~490 bytes) until something
 * flattens it; toLowerCase answers a flat copy (~64 bytes). Per subscriber, that is 5% of its heap.
 */
export function longLivedId(): string {
  return randomUUID().toLowerCase();
}
