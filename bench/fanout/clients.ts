import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { serve } from './ipc';

/**
 * The subscribers, in their own process: N sockets speaking graphql-transport-ws by hand (no
 * client library, to keep this side cheap), or N bare ws sockets. Records when each socket
 * receives the current event (process.hrtime: CLOCK_MONOTONIC, comparable across processes).
 */
const sockets: WebSocket[] = [];
let expected = 0;
let received = 0;
let length = -1;
let bad = 0;
let times: Float64Array = new Float64Array(0);
let sample = '';
let done: (() => void) | null = null;

function onDelivery(data: WebSocket.RawData): void {
  const now = Number(process.hrtime.bigint());
  const size = (data as Buffer).length;
  if (received === 0) {
    sample = data.toString();
    length = size;
  } else if (size !== length) {
    bad += 1; // every delivery of one event has the same length (ids are all UUIDs)
  }
  if (received < expected) times[received] = now;
  received += 1;
  if (received === expected) done?.();
}

async function openAll(n: number, open: (i: number) => Promise<WebSocket>): Promise<void> {
  const BATCH = 200; // keeps the listen backlog from overflowing
  for (let i = 0; i < n; i += BATCH) {
    const batch = await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, (_, k) => open(i + k)));
    sockets.push(...batch);
  }
}

serve({
  async feed({ url, tokens, workspaceId, after, query, n }: { url: string; tokens: string[]; workspaceId: string; after: string; query: string; n: number }) {
    await openAll(
      n,
      (i) =>
        new Promise((resolve, reject) => {
          const socket = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
          let acked = false;
          socket.on('error', reject);
          socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${tokens[i % tokens.length]}` } })));
          socket.on('message', (data) => {
            if (acked) return onDelivery(data);
            const message = JSON.parse(data.toString());
            if (message.type !== 'connection_ack') return reject(new Error(`expected connection_ack, got ${data}`));
            acked = true;
            socket.send(JSON.stringify({ id: randomUUID(), type: 'subscribe', payload: { query, variables: { workspaceId, after } } }));
            resolve(socket);
          });
        }),
    );
    return sockets.length;
  },

  async bare({ url, n }: { url: string; n: number }) {
    await openAll(
      n,
      () =>
        new Promise((resolve, reject) => {
          const socket = new WebSocket(url, { perMessageDeflate: false });
          socket.on('error', reject);
          socket.on('open', () => resolve(socket));
          socket.on('message', onDelivery);
        }),
    );
    return sockets.length;
  },

  /** Expects the next `n` deliveries; answers once they are armed. */
  arm({ n }: { n: number }) {
    expected = n;
    received = 0;
    bad = 0;
    times = new Float64Array(n);
    return true;
  },

  /** Waits for the armed deliveries; answers their receive times (ns) and one of them in full. */
  async collect({ timeoutMs }: { timeoutMs: number }) {
    if (received < expected) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received} of ${expected} deliveries arrived`)), timeoutMs);
        done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      done = null;
    }
    return { times: Array.from(times), sample, bad, extra: received - expected };
  },

  /** Deliveries so far (the bench's S4 reads it around its measured window, without arming). */
  count() {
    return { received, bad };
  },

  async closeAll() {
    const closing = sockets.splice(0).map(
      (socket) =>
        new Promise<void>((resolve) => {
          if (socket.readyState === WebSocket.CLOSED) return resolve();
          socket.once('close', () => resolve());
          socket.close();
        }),
    );
    await Promise.all(closing);
    return true;
  },
});
