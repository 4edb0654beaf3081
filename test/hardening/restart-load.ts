import { mintToken } from '../../src/dev-token';
import type { PrivatePostgres } from './private-postgres';

/**
 * Load against a running service while its PostgreSQL is stopped and started again: a few
 * workers alternate a read (the viewer's workspaces) and a write (createWorkspace), paced so
 * as not to hog the machine; /readyz is polled alongside. Every acknowledged write is
 * checked afterwards: nothing acknowledged may be lost.
 */
export interface RestartLoadOptions {
  baseUrl: string;
  secret: string;
  postgres: PrivatePostgres;
  durationMs: number;
  /** When PostgreSQL is stopped, and for how long. */
  stopAtMs: number;
  downMs: number;
  workers?: number;
  pauseMs?: number;
}

export interface RequestRecord {
  at: number;
  ms: number;
  kind: 'read' | 'write';
  ok: boolean;
  code?: string;
  workspaceId?: string;
}

export interface RestartLoadReport {
  requests: number;
  ok: number;
  failed: number;
  before: { ok: number; failed: number };
  /** In flight at the stop command, or started before the server was up again. */
  down: { ok: number; failed: number; ms: number };
  after: { ok: number; failed: number };
  /** Failures that started after the first success once PostgreSQL was back (should be none). */
  failedAfterRecovery: number;
  /** From PostgreSQL accepting connections again to the first successful request. */
  recoveryMs: number;
  errorCodes: Record<string, number>;
  readyz: { whileUp: number[]; whileDown: number[]; afterRestart: number[] };
  writes: { acknowledged: number; lost: number; committedWithoutAnswer: number };
  /** The slowest answer seen, in ms (a request never hangs past the request timeout). */
  slowestMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runRestartLoad(options: RestartLoadOptions): Promise<{ report: RestartLoadReport; records: RequestRecord[] }> {
  const { baseUrl, postgres } = options;
  const workers = options.workers ?? 4;
  const pauseMs = options.pauseMs ?? 25;
  const started = Date.now();
  const now = () => Date.now() - started;
  const records: RequestRecord[] = [];
  const readyz: Array<{ at: number; status: number }> = [];
  const tokens = await Promise.all(
    Array.from({ length: workers }, (_, i) => mintToken(options.secret, { sub: `load|${i}`, email: `load${i}@restart.test` })),
  );

  const gql = async (token: string, query: string, variables: Record<string, unknown>) => {
    const res = await fetch(`${baseUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(60_000),
    });
    return (await res.json()) as { data?: any; errors?: Array<{ extensions?: { code?: string } }> };
  };

  let running = true;
  const worker = async (index: number) => {
    let n = 0;
    while (running) {
      const kind: 'read' | 'write' = n % 2 === 0 ? 'read' : 'write';
      const at = now();
      const record: RequestRecord = { at, ms: 0, kind, ok: false };
      try {
        if (kind === 'read') {
          const body = await gql(tokens[index], `{ viewer { id workspaces { id } } }`, {});
          record.ok = !body.errors && !!body.data?.viewer?.id;
          record.code = body.errors?.[0]?.extensions?.code;
        } else {
          const body = await gql(tokens[index], `mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`, {
            input: { name: `load ${index}-${n}` },
          });
          record.workspaceId = body.data?.createWorkspace?.id;
          record.ok = !body.errors && !!record.workspaceId;
          record.code = body.errors?.[0]?.extensions?.code;
        }
      } catch (error) {
        record.code = `transport: ${(error as Error).name}`;
      }
      record.ms = now() - at;
      records.push(record);
      n++;
      await sleep(pauseMs);
    }
  };
  const pollReadyz = async () => {
    while (running) {
      const at = now();
      try {
        const res = await fetch(`${baseUrl}/readyz`, { signal: AbortSignal.timeout(5_000) });
        readyz.push({ at, status: res.status });
      } catch {
        readyz.push({ at, status: 0 });
      }
      await sleep(250);
    }
  };

  let stopIssuedAt = Infinity;
  let upAgainAt = Infinity;
  const chaos = async () => {
    await sleep(options.stopAtMs);
    stopIssuedAt = now();
    await postgres.stop();
    await sleep(options.downMs);
    await postgres.start();
    upAgainAt = now();
  };

  const load = [...Array.from({ length: workers }, (_, i) => worker(i)), pollReadyz()];
  await chaos();
  await sleep(Math.max(0, options.durationMs - now()));
  running = false;
  await Promise.all(load);

  // Nothing acknowledged is lost; count what committed although its answer was an error.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: options.postgres.url });
  await client.connect();
  const acknowledged = records.filter((r) => r.kind === 'write' && r.ok).map((r) => r.workspaceId!);
  const found = await client.query(`SELECT count(*)::int AS n FROM workspaces WHERE id = ANY($1::uuid[])`, [acknowledged]);
  const all = await client.query(`SELECT count(*)::int AS n FROM workspaces WHERE name LIKE 'load %'`);
  await client.end();

  // Before: answered before the stop; after: started once the server was up again; down: the rest
  // (in flight at the stop, or started while the server was away).
  const beforeStop = records.filter((r) => r.at + r.ms < stopIssuedAt);
  const afterStart = records.filter((r) => r.at >= upAgainAt);
  const duringOutage = records.filter((r) => !beforeStop.includes(r) && !afterStart.includes(r));
  const tally = (rs: RequestRecord[]) => ({ ok: rs.filter((r) => r.ok).length, failed: rs.filter((r) => !r.ok).length });
  const firstSuccessAfter = records.filter((r) => r.ok && r.at >= upAgainAt).sort((a, b) => a.at - b.at)[0];
  const firstSuccessEnd = firstSuccessAfter ? firstSuccessAfter.at + firstSuccessAfter.ms : Infinity;
  const errorCodes: Record<string, number> = {};
  for (const r of records) if (!r.ok) errorCodes[r.code ?? 'none'] = (errorCodes[r.code ?? 'none'] ?? 0) + 1;
  const statuses = (rs: typeof readyz) => [...new Set(rs.map((r) => r.status))].sort();

  const report: RestartLoadReport = {
    requests: records.length,
    ...tally(records),
    before: tally(beforeStop),
    down: { ...tally(duringOutage), ms: upAgainAt - stopIssuedAt },
    after: tally(afterStart),
    failedAfterRecovery: records.filter((r) => !r.ok && r.at > firstSuccessEnd).length,
    recoveryMs: firstSuccessAfter ? firstSuccessAfter.at + firstSuccessAfter.ms - upAgainAt : Infinity,
    errorCodes,
    readyz: {
      whileUp: statuses(readyz.filter((r) => r.at < stopIssuedAt)),
      whileDown: statuses(readyz.filter((r) => r.at >= stopIssuedAt + 500 && r.at < upAgainAt - 500)),
      afterRestart: statuses(readyz.filter((r) => r.at > firstSuccessEnd + 1_000)),
    },
    writes: {
      acknowledged: acknowledged.length,
      lost: acknowledged.length - found.rows[0].n,
      committedWithoutAnswer: all.rows[0].n - found.rows[0].n,
    },
    slowestMs: Math.max(...records.map((r) => r.ms)),
  };
  return { report, records };
}
