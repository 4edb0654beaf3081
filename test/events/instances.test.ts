import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { RunningService } from '../../src/bootstrap';
import { addMember, createWorkspace, type Person } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { changeRole, createResource, eventCursor, ok, progress, seqOf, settle, started, subscribe } from '../jobs/fixtures';

/**
 * Several instances on one PostgreSQL database: job events travel between them through the
 * log and LISTEN/NOTIFY. (PGlite is one embedded instance: these run on PostgreSQL only.)
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const describePg = onPostgres ? describe : describe.skip;

let server: TestServer;
let b: RunningService;
const clients: Client[] = [];
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
  if (onPostgres) b = await server.secondInstance();
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.dispose()));
  await server.close();
});

function clientOf(instance: RunningService, person: Person): Client {
  const client = createClient({
    url: `ws://127.0.0.1:${instance.port}/graphql`,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${person.token}` },
  });
  clients.push(client);
  return client;
}

async function listeners(): Promise<number> {
  const [row] = await server.db.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'workspace-api-listen' AND datname = current_database()`,
  );
  return row.n;
}

describePg('job events across instances', () => {
  it('shows a client on instance B, in order, every change made through instance A', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
    const cursor = await eventCursor(server, admin, workspaceId);
    const feed = subscribe(clientOf(b, admin), { workspaceId, after: cursor });
    // Three jobs changed concurrently: the log's order is the commit order, whatever it is.
    await Promise.all(
      [0, 1, 2].map(async () => {
        const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
        for (let i = 1; i <= 9; i++) ok(await progress(server, admin, job.id, i / 10));
      }),
    );
    const events = await feed.until(30);
    await settle();
    const log = await server.db.query(`SELECT seq, job_id AS "jobId", progress FROM job_events WHERE workspace_id = $1 AND seq > $2 ORDER BY seq`, [
      workspaceId,
      seqOf(cursor),
    ]);
    expect(log).toHaveLength(30);
    expect(feed.events.map((e) => [seqOf(e.cursor), e.job.id, e.progress])).toEqual(log.map((r: any) => [Number(r.seq), r.jobId, r.progress]));
    expect(events.every((e, i) => i === 0 || seqOf(e.cursor) === seqOf(events[i - 1].cursor) + 1)).toBe(true);
  });

  it('applies a role change made on A to the next event a subscriber on B receives', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
    const other = await addMember(server, workspaceId, 'ADMIN');
    const cursor = await eventCursor(server, other, workspaceId);
    const feed = subscribe(clientOf(b, other), { workspaceId, after: cursor });
    const job = await started(server, admin, { workspaceId, type: 'LABEL_IMPORT', projectId });
    await feed.until(1);
    await changeRole(server, other, workspaceId, other, 'TASKER'); // stepping down: an ADMIN's role is taken only by themselves
    ok(await progress(server, admin, job.id, 0.5));
    await settle(500);
    expect(feed.events.map((e) => e.job.id)).toEqual([job.id]);
  });

  it('reconnects its LISTEN connection by itself and catches up from the log', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    const cursor = await eventCursor(server, admin, workspaceId);
    const feed = subscribe(clientOf(b, admin), { workspaceId, after: cursor });
    expect(await listeners()).toBe(2);
    // Cut both instances' LISTEN connections, and change things while they are down.
    await server.db.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'workspace-api-listen' AND datname = current_database()`,
    );
    for (let i = 1; i <= 5; i++) ok(await progress(server, admin, job.id, i / 10));
    await feed.until(5);
    for (let i = 0; (await listeners()) < 2; i++) {
      if (i > 100) throw new Error('the LISTEN connections did not come back');
      await settle(50);
    }
    // Live again through NOTIFY.
    ok(await progress(server, admin, job.id, 0.9));
    const events = await feed.until(6);
    expect(events.map((e) => e.progress)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.9]);
  });
});

if (!onPostgres) {
  it('needs PostgreSQL (TEST_DATABASE_URL) for a second instance', () => undefined);
}
