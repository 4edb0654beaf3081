// autocannon ships no types: the little used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon: (opts: Record<string, unknown>) => AutocannonInstance = require('autocannon');

interface AutocannonInstance {
  on(event: 'response', fn: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
  on(event: 'done', fn: (result: { errors: number; timeouts: number }) => void): void;
  on(event: string, fn: (...args: any[]) => void): void;
}

export interface LoadResult<P> {
  connections: number;
  /** Length of the measured window. */
  seconds: number;
  /** 200 responses that arrived within the window. */
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Within the whole run: responses that were not 200 or not of the expected size, socket errors and timeouts. */
  failures: number;
  /** Bytes per response, headers included. */
  bytesPerResponse: number;
  /** CPU the load generator itself (this process) used in the window, per request. */
  loadgenCpuMsPerReq: number;
  /** What `probe` answered at the start and at the end of the window. */
  before: P;
  after: P;
}

export interface LoadTarget {
  url: string;
  body: string;
  headers: Record<string, string>;
  /**
   * Bytes of a correct response, headers included (the answers are deterministic). A 200 of
   * another size (e.g. a GraphQL error under load, which HTTP still calls 200) is a failure.
   */
  expectedBytes?: number;
}

/**
 * Closed-loop load on loopback: `connections` keep-alive connections, each sending its next
 * request when the last one is answered. One autocannon run of warmup + seconds + 1: only the
 * window [warmup, warmup + seconds] is measured, on connections that are already warm and in a
 * steady state (work in flight at the window's start and end roughly cancels out). `probe`
 * (CPU counters) is read at both edges of the window. Latencies are taken from every response
 * at sub-millisecond precision (autocannon's own histogram rounds to whole milliseconds).
 */
export function runLoad<P>(target: LoadTarget, connections: number, warmup: number, seconds: number, probe: () => Promise<P>): Promise<LoadResult<P>> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    let measuring = false;
    let ok = 0;
    let failed = 0;
    let bytes = 0;
    let windowStart = 0n;
    let windowEnd = 0n;
    let cpuStart = process.cpuUsage();
    let cpuWindow = { user: 0, system: 0 };
    let before: Promise<P> | undefined;
    let after: Promise<P> | undefined;
    const instance = autocannon({
      url: target.url,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: target.body,
      connections,
      duration: warmup + seconds + 1,
      timeout: 60,
    });
    setTimeout(() => {
      measuring = true;
      windowStart = process.hrtime.bigint();
      cpuStart = process.cpuUsage();
      before = probe();
    }, warmup * 1000);
    setTimeout(() => {
      measuring = false;
      windowEnd = process.hrtime.bigint();
      cpuWindow = process.cpuUsage(cpuStart);
      after = probe();
    }, (warmup + seconds) * 1000);
    instance.on('response', (_client: unknown, statusCode: number, resBytes: number, ms: number) => {
      const wrongSize = target.expectedBytes !== undefined && Math.abs(resBytes - target.expectedBytes) > 64 + target.expectedBytes / 1000;
      if (statusCode !== 200 || wrongSize) failed++;
      else if (measuring) {
        ok++;
        bytes += resBytes;
        latencies.push(ms);
      }
    });
    instance.on('done', async (result: { errors: number; timeouts: number }) => {
      try {
        const elapsed = Number(windowEnd - windowStart) / 1e9;
        latencies.sort((a, b) => a - b);
        const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
        resolve({
          connections,
          seconds: elapsed,
          requests: ok,
          rps: ok / elapsed,
          p50: pct(50),
          p99: pct(99),
          failures: failed + result.errors + result.timeouts,
          bytesPerResponse: ok ? bytes / ok : 0,
          loadgenCpuMsPerReq: ok ? (cpuWindow.user + cpuWindow.system) / 1000 / ok : NaN,
          before: await before!,
          after: await after!,
        });
      } catch (error) {
        reject(error);
      }
    });
    instance.on('error', reject);
  });
}
