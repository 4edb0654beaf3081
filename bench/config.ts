import { join } from 'node:path';

/** Everything the bench run can be tuned with, from the environment, with defaults that fit ~10 minutes. */
export const ROOT = join(__dirname, '..', '..'); // dist/bench -> the project folder
export const BENCH_DIR = join(ROOT, 'bench');
export const PEERS_DIR = join(BENCH_DIR, '.peers');

const num = (name: string, fallback: number) => {
  const raw = process.env[name];
  return raw === undefined || raw === '' ? fallback : Number(raw);
};

export const PG_ADMIN_URL = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const BENCH_DB = process.env.BENCH_DB ?? 'workspace_bench';
export const BENCH_DB_URL = withDatabase(PG_ADMIN_URL, BENCH_DB);

/**
 * Seconds of measured load per run, after WARMUP seconds that are not measured. S1 answers a few
 * requests a second, so it runs longer to see enough of them. BENCH_DURATION sets all three.
 */
const ALL = process.env.BENCH_DURATION ? Number(process.env.BENCH_DURATION) : undefined;
export const DURATION_S = {
  S1: ALL ?? num('BENCH_DURATION_S1', 12),
  S2: ALL ?? num('BENCH_DURATION_S2', 5),
  S3: ALL ?? num('BENCH_DURATION_S3', 5),
  S4: ALL ?? num('BENCH_DURATION_S4', 8),
  // S5 is S1's page for other viewers: as long as S1, so that the ratios compare like with like.
  'S5-MEMBER': ALL ?? num('BENCH_DURATION_S1', 12),
  'S5-WFM': ALL ?? num('BENCH_DURATION_S1', 12),
};
export const WARMUP_S = num('BENCH_WARMUP', 3);
export const CONCURRENCIES = (process.env.BENCH_CONCURRENCY ?? '1,8,32').split(',').map(Number);
/** S4: how many workers report progress at once (each on its own job), and the feed's subscribers connected meanwhile. */
export const S4_WORKERS = (process.env.BENCH_S4_WORKERS ?? '1,8,32').split(',').map(Number);
export const S4_SUBSCRIBERS = num('BENCH_S4_SUBSCRIBERS', 100);
/** Requests sent one at a time when counting SQL statements (after 3 unmeasured ones). */
export const COUNT_REQUESTS = num('BENCH_COUNT_REQUESTS', 10);

export const PORTS = { service: 4601, postgraphile: 4602, floor: 4603, graphqljs: 4604, proxy: 4605 } as const;

export const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123456789';
export const POOL_SIZE = 10;

export const POSTGRAPHILE_VERSION = '5.1.5';
export const NODE22_PACKAGE = 'node@22';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = '/' + database;
  return u.toString();
}
