import 'reflect-metadata';
import pg from 'pg';
import pino from 'pino';
import { startService, type RunningService } from '../../src/bootstrap';
import { mintToken } from '../../src/dev-token';
import { createWorkspace } from '../support/fixtures';
import { TEST_SECRET, errorCode, freshDatabase, startTestServer, testConfig, type TestServer } from '../support/harness';

const WORKSPACE = `query($id: ID!) { workspace(id: $id) { id name } }`;

describe('request timeout', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ REQUEST_TIMEOUT_MS: '500' });
  });
  afterAll(() => server.close());

  it('cuts a request that has not answered in time with an error (503), and keeps serving', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    // Hold what the request needs: the memberships table on PostgreSQL, the one session on PGlite.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = server.db.transaction(async (tx) => {
      await tx.query('LOCK TABLE memberships IN ACCESS EXCLUSIVE MODE');
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    const started = Date.now();
    const cut = await server.gql(WORKSPACE, { id: workspaceId }, admin.token);
    const waited = Date.now() - started;
    release();
    await held;
    expect(cut.status).toBe(503);
    expect(errorCode(cut)).toBe('QUERY_TOO_COMPLEX');
    expect(cut.errors![0].extensions).toMatchObject({ limit: 'timeout', max: 500 });
    expect(cut.errors![0].message).toMatch(/longer than 500 ms/);
    expect(waited).toBeGreaterThanOrEqual(450);
    expect(waited).toBeLessThan(3_000);
    // The late answer of the cut request goes nowhere, and the service goes on.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const after = await server.gql(WORKSPACE, { id: workspaceId }, admin.token);
    expect(after.data.workspace.id).toBe(workspaceId);
  });
});

// PGlite is one embedded session: no statement timeout or pool to configure there.
(process.env.TEST_DATABASE_URL ? describe : describe.skip)('statement timeout and pool (PostgreSQL)', () => {
  let service: RunningService;
  let fresh: Awaited<ReturnType<typeof freshDatabase>>;
  let url: string;
  beforeAll(async () => {
    fresh = await freshDatabase();
    await fresh.database.close(); // the service opens its own, from its configuration
    const config = testConfig({
      DATABASE_URL: fresh.url,
      DB_STATEMENT_TIMEOUT_MS: '300',
      DB_POOL_SIZE: '3',
      REQUEST_TIMEOUT_MS: '10000',
    });
    service = await startService(config, pino({ level: 'silent' }), { host: '127.0.0.1' });
    url = `http://127.0.0.1:${service.port}/graphql`;
  });
  afterAll(async () => {
    await service?.close();
    await fresh?.drop();
  });

  it('gives every pooled session the configured statement_timeout, and cancels a longer statement', async () => {
    const shown = await Promise.all([1, 2, 3, 4, 5].map(() => service.services.db.query(`SHOW statement_timeout`)));
    expect(shown.map((rows) => rows[0].statement_timeout)).toEqual(['300ms', '300ms', '300ms', '300ms', '300ms']);
    await expect(service.services.db.query(`SELECT pg_sleep(2)`)).rejects.toMatchObject({ driverError: { code: '57014' } });
  });

  it('keeps at most DB_POOL_SIZE connections, however many queries wait', async () => {
    const db = service.services.db;
    const rows = await Promise.all(
      Array.from({ length: 8 }, () =>
        db.query(
          `SELECT count(*)::int AS n, pg_sleep(0.1)::text FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'workspace-api' AND state = 'active'`,
        ),
      ),
    );
    const busiest = Math.max(...rows.map(([row]) => row.n));
    expect(busiest).toBeGreaterThanOrEqual(2); // they did run side by side
    expect(busiest).toBeLessThanOrEqual(3);
  });

  it('answers a request stuck behind a lock with an error once the statement times out', async () => {
    const admin = await mintToken(TEST_SECRET, { sub: 'stuck|admin', email: 'stuck@timeout.test' });
    const post = async (query: string, variables: Record<string, unknown> = {}) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` },
        body: JSON.stringify({ query, variables }),
      });
      return { status: res.status, ...((await res.json()) as any) };
    };
    const made = await post(`mutation { createWorkspace(input: { name: "Stuck" }) { id } }`);
    const workspaceId = made.data.createWorkspace.id;
    const locker = new pg.Client({ connectionString: fresh.url });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE memberships IN ACCESS EXCLUSIVE MODE');
      const started = Date.now();
      const res = await post(WORKSPACE, { id: workspaceId });
      const waited = Date.now() - started;
      expect(res.errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
      expect(res.errors[0].message).toBe('Internal server error'); // no detail of the database leaks
      expect(waited).toBeGreaterThanOrEqual(250);
      expect(waited).toBeLessThan(5_000);
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    expect((await post(WORKSPACE, { id: workspaceId })).data.workspace.id).toBe(workspaceId);
  });
});
