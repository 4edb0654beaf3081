import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { createResource, FAIL_JOB, ok, started, subscribe } from '../jobs/fixtures';
import { BACKGROUND_STATEMENTS } from '../support/query-counter';

/**
 * The hard stop: an operation whose answer passes MAX_RESPONSE_BYTES, or whose time passes
 * REQUEST_TIMEOUT_MS, stops working (no resolver runs and no SQL is sent after that, on
 * graphql-js and on compiled code alike) and answers QUERY_TOO_COMPLEX naming the limit.
 */

const PEOPLE = 150;

/** A workspace of 150 people in 3 groups of everyone, each with a direct role. */
async function seed(server: TestServer) {
  const { workspaceId, admin } = await createWorkspace(server, 'Stops');
  const people = Array.from({ length: PEOPLE }, () => randomUUID());
  await server.db.query(`INSERT INTO users (id, email, name) SELECT id, 'someone-' || n || '@stops.example', 'Someone ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [people]);
  await server.db.query(
    `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) SELECT $1, id, 'MEMBER', 'JOINED', now(), now() FROM unnest($2::uuid[]) AS id`,
    [workspaceId, people],
  );
  const groups = [randomUUID(), randomUUID(), randomUUID()];
  await server.db.query(`INSERT INTO groups (id, workspace_id, name, name_key) SELECT id, $2, 'Team ' || n, 'team ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [groups, workspaceId]);
  await server.db.query(`INSERT INTO group_members (group_id, user_id) SELECT g, u FROM unnest($1::uuid[]) AS g CROSS JOIN unnest($2::uuid[]) AS u`, [groups, people]);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  await server.db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) SELECT $1, u, $2, 'ANNOTATOR' FROM unnest($3::uuid[]) AS u`, [projectId, workspaceId, people]);
  return { workspaceId, admin, projectId };
}

/** The statements a request sends (the service's background work left out), each with when it was sent. */
function recordStatements(server: TestServer) {
  const seen: Array<{ sql: string; at: number }> = [];
  const logger = server.db.logger;
  const original = logger.logQuery;
  logger.logQuery = function (query: string, ...rest: any[]) {
    if (!BACKGROUND_STATEMENTS.test(query) && !/^\s*(LISTEN|NOTIFY|UNLISTEN)\b/i.test(query)) seen.push({ sql: query, at: performance.now() });
    return original.call(this, query, ...rest);
  };
  return { seen, stop: () => (logger.logQuery = original) };
}

const PEOPLE_ONLY = `query($w: ID!) { workspace(id: $w) { users(first: 100) { nodes { id email name role status invitedAt joinedAt } } } }`;
/** The same page of people, then their groups (group_members), then those groups' members' roles (resource_user_roles). */
const NESTED = `query($w: ID!) { workspace(id: $w) { users(first: 100) { nodes { id email name role status invitedAt joinedAt
  groups { id name members(first: 100) { id email assignments(first: 5) { role } } } } } } }`;
const LATER_LEVELS = /group_members|group_managers|resource_user_roles|resource_group_roles/;

describe('the byte budget (MAX_RESPONSE_BYTES)', () => {
  let server: TestServer;
  let ws: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_POINTS: '0', MAX_RESPONSE_BYTES: '16384', GRAPHQL_MAX_COST: '100000000' });
    ws = await seed(server);
  }, 60_000);
  afterAll(() => server?.close());

  it('stops an answer past the budget: QUERY_TOO_COMPLEX, and no SQL of the levels after the stop, interpreted and compiled', async () => {
    const before = server.service.app.executions();
    for (let run = 0; run < 3; run++) {
      const people = recordStatements(server);
      const alone = await server.gql(PEOPLE_ONLY, { w: ws.workspaceId }, ws.admin.token);
      people.stop();
      expect(errorCode(alone)).toBe('QUERY_TOO_COMPLEX');
      const nested = recordStatements(server);
      const res = await server.gql(NESTED, { w: ws.workspaceId }, ws.admin.token);
      nested.stop();
      expect(res.status).toBe(400);
      expect(res.data).toBeUndefined();
      expect(res.errors).toEqual([{ message: expect.stringMatching(/larger than 16384 bytes/), extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'responseBytes', max: 16384 } }]);
      // The page of people passed the budget: their groups and roles were never read.
      expect(nested.seen.filter((s) => LATER_LEVELS.test(s.sql))).toEqual([]);
      expect(nested.seen.length).toBe(people.seen.length);
    }
    const after = server.service.app.executions();
    expect(after.compiled - before.compiled).toBeGreaterThanOrEqual(4); // the second and third run of each document
  });

  it('applies to WebSocket operations, and to each event of a subscription on its own', async () => {
    const client = server.ws(ws.admin.token);
    const result = await new Promise<any>((resolve, reject) => {
      client.subscribe({ query: NESTED, variables: { w: ws.workspaceId } }, { next: resolve, error: reject, complete: () => undefined });
    });
    expect(result.errors[0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'responseBytes', max: 16384 });

    const FEED = `subscription($workspaceId: ID!) { jobEvents(workspaceId: $workspaceId) { status job { id errorDetails } } }`;
    const feed = subscribe<any>(server.ws(ws.admin.token), { workspaceId: ws.workspaceId }, FEED);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const first = await started(server, ws.admin, { workspaceId: ws.workspaceId, type: 'MODEL_TRAINING', projectId: ws.projectId });
    await feed.until(1);
    ok(await server.gql(FAIL_JOB, { input: { jobId: first.id, errorMessage: 'out of memory', errorDetails: 'x'.repeat(17_000) } }, ws.admin.token));
    const deadline = Date.now() + 10_000;
    while (feed.errors.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect((feed.errors[0] as any).extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'responseBytes' });
    // The next event is small, and goes through.
    const second = await started(server, ws.admin, { workspaceId: ws.workspaceId, type: 'MODEL_TRAINING', projectId: ws.projectId });
    const until = Date.now() + 10_000;
    while (feed.events.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(feed.events.map((e) => [e.status, e.job.id])).toEqual([
      ['PROCESSING', first.id],
      ['PROCESSING', second.id],
    ]);
    feed.dispose();
  });
});

describe('the time limit (REQUEST_TIMEOUT_MS)', () => {
  let server: TestServer;
  let ws: Awaited<ReturnType<typeof seed>>;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_POINTS: '0', REQUEST_TIMEOUT_MS: '700', GRAPHQL_MAX_COST: '100000000', MAX_RESPONSE_BYTES: String(64 * 1024 * 1024) });
    ws = await seed(server);
  }, 60_000);
  afterAll(() => server?.close());

  it('answers QUERY_TOO_COMPLEX (503) at the timeout, and the work sends no SQL of its later levels after it', async () => {
    await server.gql(NESTED, { w: ws.workspaceId }, ws.admin.token); // warm: the account, the compiled document
    // Hold group_members (on PGlite: the one session) until after the timeout: the request is cut while it waits.
    let release!: () => void;
    let locked!: () => void;
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const held = server.db.transaction(async (tx) => {
      await tx.query('LOCK TABLE group_members IN ACCESS EXCLUSIVE MODE');
      locked();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await isLocked;
    const statements = recordStatements(server);
    const res = await server.gql(NESTED, { w: ws.workspaceId }, ws.admin.token);
    const cutAt = performance.now();
    release();
    await held;
    await new Promise((resolve) => setTimeout(resolve, 500)); // time for any work left to show
    statements.stop();
    expect(res.status).toBe(503);
    expect(res.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'timeout', max: 700 });
    // At most the statement that was waiting ran (after the stop); nothing of the levels below it.
    const after = statements.seen.filter((s) => s.at > cutAt && !/^\s*(COMMIT|ROLLBACK|START TRANSACTION|BEGIN)/i.test(s.sql));
    expect(after.filter((s) => /resource_user_roles|resource_group_roles/.test(s.sql))).toEqual([]);
    expect(after.length).toBeLessThanOrEqual(1);
    // The service goes on.
    const again = await server.gql(`query($w: ID!) { workspace(id: $w) { id } }`, { w: ws.workspaceId }, ws.admin.token);
    expect(again.data.workspace.id).toBe(ws.workspaceId);
  });
});
