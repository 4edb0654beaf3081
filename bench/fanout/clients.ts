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

/**
 * A sustained run: each socket's k-th message is the run's k-th event (every subscriber gets
 * every event, in order), received at times[socket * events + k].
 */
let series: { events: number; counts: Uint32Array; times: Float64Array; left: number; done: (() => void) | null } | null = null;

function onDelivery(data: WebSocket.RawData, socket: number): void {
  const now = Number(process.hrtime.bigint());
  if (series) {
    const k = series.counts[socket]++;
    if (k < series.events) {
      series.times[socket * series.events + k] = now;
      if (--series.left === 0) series.done?.();
    }
    return;
  }
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
            if (acked) return onDelivery(data, i);
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
      (i) =>
        new Promise((resolve, reject) => {
          const socket = new WebSocket(url, { perMessageDeflate: false });
          socket.on('error', reject);
          socket.on('open', () => resolve(socket));
          socket.on('message', (data) => onDelivery(data, i));
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

  /** Starts a sustained run's record: each socket is to receive `events` messages. */
  armSeries({ events }: { events: number }) {
    const n = sockets.length;
    series = { events, counts: new Uint32Array(n), times: new Float64Array(n * events), left: n * events, done: null };
    return n;
  },

  /**
   * Waits for the run's messages; answers its latencies against `commits` (ns, the k-th
   * event's commit or scheduled time): percentiles in ms, and what did not arrive.
   */
  async seriesLatency({ commits, timeoutMs }: { commits: number[]; timeoutMs: number }) {
    const run = series!;
    if (run.left > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        run.done = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    series = null;
    const events = Math.min(run.events, commits.length);
    const latencies = new Float64Array(run.counts.length * events);
    let n = 0;
    for (let s = 0; s < run.counts.length; s++) {
      for (let k = 0; k < Math.min(events, run.counts[s]); k++) latencies[n++] = (run.times[s * run.events + k] - commits[k]) / 1e6;
    }
    const sorted = latencies.subarray(0, n).sort();
    const at = (p: number) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))];
    const extra = run.counts.reduce((sum, c) => sum + Math.max(0, c - run.events), 0);
    return { received: n, missing: run.counts.length * run.events - n, extra, p50: at(50), p99: at(99), max: sorted[n - 1] };
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
