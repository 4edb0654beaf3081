import pg from 'pg';
import { openDatabase } from '../../src/database/data-source';
import { createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { countQueries } from '../support/query-counter';
import { REPORT_PROGRESS, createResource, eventCursor, ok, subscribe } from './fixtures';

/**
 * The write workers send most (reportJobProgress with an API key), in as few round trips as the
 * rules allow, and the wake-up it sends: one per committed event, from inside the transaction,
 * none for a refused change.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

let server: TestServer;
beforeAll(async () => {
  // No unprompted feed round (FEED_POLL_MS) within the counted windows: only the ones an event causes.
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', FEED_POLL_MS: '600000' });
});
afterAll(() => server.close());

/** A workspace, a JOBS key of its ADMIN, and a job that key started. */
async function workerWithJob() {
  const { workspaceId, admin } = await createWorkspace(server);
  const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
  const created = await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, {
    input: { workspaceId, name: 'importer', scopes: ['JOBS'] },
  }, admin.token);
  const key: string = ok(created).createApiKey.key;
  const started = await server.gql(`mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input: { workspaceId, type: 'DATA_IMPORT', datasetId } }, key);
  return { workspaceId, admin, key, jobId: ok(started).startJob.id as string };
}

/** The service's own background statements (the job log's are counted here: they are the write's). */
const WORKERS = /\boutbox_mail\b|\bLISTEN\b|\/\* background \*\//i;

/** A dashboard's subscription: the job with who started it and on what. */
const DASHBOARD = `subscription($workspaceId: ID!, $after: String) {
  jobEvents(workspaceId: $workspaceId, after: $after) { cursor status progress job { id status user { id email } dataset { id name } } } }`;

/** The URL of this file's own database. */
const databaseUrl = () => (server.db.options as { url: string }).url;

const report = (key: string, jobId: string, progress: number) => server.gql(REPORT_PROGRESS, { input: { jobId, progress } }, key);

describe('reportJobProgress with an API key', () => {
  it('reads the key with its membership, the job, then runs one transaction that reads each locked row once', async () => {
    const { key, jobId } = await workerWithJob();
    await report(key, jobId, 0.1); // the key's last use is written at most once a minute: not in the count below
    const counter = countQueries(server.db, { ignore: WORKERS });
    try {
      const res = await report(key, jobId, 0.2);
      expect(ok(res).reportJobProgress).toMatchObject({ id: jobId, progress: 0.2 });
      const statements = counter.statements.map((s) => s.replace(/\s+/g, ' '));
      // key + membership + workspace; the job's facts; BEGIN, the actor's membership (FOR SHARE),
      // the job (FOR NO KEY UPDATE), the update, the event (with its NOTIFY), COMMIT.
      expect(statements).toHaveLength(8);
      expect(statements.filter((s) => /FROM memberships m JOIN workspaces w/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /FOR SHARE OF m/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /FROM jobs j WHERE j\.id = \$1 FOR NO KEY UPDATE/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /pg_notify/.test(s))).toHaveLength(1);
      expect(statements.some((s) => /^SELECT pg_notify/.test(s))).toBe(false); // not a statement of its own after the commit
    } finally {
      counter.stop();
    }
  });

  it('costs a subscribed ADMIN dashboard four statements a round: the events with their jobs, the memberships, the starter, the dataset', async () => {
    const { workspaceId, key, jobId, admin } = await workerWithJob();
    const feed = subscribe(server.ws(admin.token), { workspaceId, after: await eventCursor(server, admin, workspaceId) }, DASHBOARD);
    await report(key, jobId, 0.1);
    await feed.until(1); // replayed from the cursor or live: the subscription is open either way
    await report(key, jobId, 0.15);
    await feed.until(2); // live
    await settle(); // a round the first event woke twice (as it opened, and by its NOTIFY) is over
    const counter = countQueries(server.db, { ignore: WORKERS });
    try {
      await report(key, jobId, 0.2);
      await feed.until(3);
      await settle(); // a second round would have run by now
      const statements = counter.statements.map((s) => s.replace(/\s+/g, ' '));
      expect(feed.events[2]).toMatchObject({ progress: 0.2, job: { id: jobId, status: 'PROCESSING' } });
      expect(statements).toHaveLength(8 + 4);
      expect(statements.filter((s) => /FROM job_events e LEFT JOIN jobs j/.test(s))).toHaveLength(1);
      expect(statements.filter((s) => /FROM jobs j WHERE j\.id = ANY/.test(s))).toHaveLength(0); // the job came with its event
      expect(statements.filter((s) => /resource_user_roles/.test(s))).toHaveLength(0); // an ADMIN sees every dataset: no facts to read
    } finally {
      counter.stop();
      feed.dispose();
    }
  });

  (onPostgres ? it : it.skip)('wakes the other instances once per committed event, and never for a refused change', async () => {
    const { workspaceId, key, jobId } = await workerWithJob();
    const listener = new pg.Client({ connectionString: databaseUrl() });
    const heard: string[] = [];
    await listener.connect();
    try {
      listener.on('notification', (message) => {
        if (message.payload?.startsWith(`${workspaceId}:`)) heard.push(message.payload);
      });
      await listener.query('LISTEN workspace_job_events');
      expect(errorCode(await report(key, jobId, 0.5))).toBeUndefined();
      expect(errorCode(await report(key, jobId, 0.4))).toBe('BAD_USER_INPUT'); // lower than before: rolled back
      expect(errorCode(await report(key, jobId, 0.5))).toBeUndefined(); // the same value: a heartbeat, no event
      expect(errorCode(await report(key, jobId, 0.6))).toBeUndefined();
      const seqs = await server.db.query(`SELECT seq FROM job_events WHERE workspace_id = $1 ORDER BY seq DESC LIMIT 2`, [workspaceId]);
      const expected = seqs.map((r: { seq: string }) => `${workspaceId}:${r.seq}`).reverse();
      await waitUntil(() => heard.length >= 2);
      await new Promise((resolve) => setTimeout(resolve, 100)); // anything more would arrive by now
      expect(heard).toEqual(expected);
    } finally {
      await listener.end();
    }
  });
});

describe('prepared statements (DB_PREPARED_STATEMENTS)', () => {
  const prepared = async (db: TestServer['db']) =>
    db.transaction(async (tx) => {
      await tx.query('SELECT $1::int AS one', [1]);
      const rows: Array<{ statement: string }> = await tx.query(`SELECT statement FROM pg_prepared_statements WHERE name LIKE 'wsapi_%'`);
      return rows.map((r) => r.statement);
    });

  (onPostgres ? it : it.skip)('names parameterised statements once per connection, and not at all when turned off', async () => {
    expect(await prepared(server.db)).toContain('SELECT $1::int AS one');
    const off = await openDatabase({ url: databaseUrl(), preparedStatements: false });
    try {
      expect(await prepared(off.dataSource)).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

async function waitUntil(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
