import { runCli } from '../../src/cli';
import { createWorkspace } from '../support/fixtures';
import { TEST_SECRET, startTestServer, type TestServer } from '../support/harness';
import {
  FEED,
  Q,
  closeCodeOf,
  feedCursor,
  follow,
  ok,
  person,
  refused,
  resource,
  same,
  unchanged,
  within,
  workspaceState,
  type Person,
} from './support';

/**
 * Removing a person (docs/permissions.md, the bullets under the workspace table, and product decision 6
 * of issue 13): it revokes their API keys, closes their open WebSockets with 4401, and cancels
 * their PROCESSING jobs (cancelledBy = the remover; null when the operator's command-line tool
 * removed them), all in one transaction; wherever history names them they show as REMOVED.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string) => server.gql(query, variables, token);

async function keyOf(p: Person, workspaceId: string, name = 'worker'): Promise<string> {
  return ok(await gql(Q.createApiKey, { input: { workspaceId, name } }, p.token), 'createApiKey').createApiKey.key;
}

/** A socket that is open and serving: connected, and a query over it answered. */
async function openSocket(token: string) {
  const socket = closeCodeOf(server, token);
  const answered = new Promise<any>((resolve, reject) => {
    let result: any;
    socket.client.subscribe({ query: '{ viewer { id } }' }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
  });
  await within(socket.connected, 10_000, 'the socket to connect');
  const first = await within(answered, 10_000, 'a query over the socket to be answered');
  if (!first?.data?.viewer?.id) throw new Error(`a query over the socket failed: ${JSON.stringify(first)}`);
  return socket;
}

const CLOSE_WAIT = 10_000;

describe('removeUser revokes the removed person’s API keys', () => {
  it('answers UNAUTHENTICATED to a request with any of their keys, and marks the keys revoked', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await person(server, workspaceId, 'MEMBER');
    const keys = [await keyOf(member, workspaceId, 'one'), await keyOf(member, workspaceId, 'two')];
    for (const key of keys) same(ok(await gql(`{ viewer { id } }`, {}, key), 'a request with the key before removal').viewer.id, member.id, 'the key acts as its maker');
    const adminKey = await keyOf(admin, workspaceId);

    ok(await gql(Q.removeUser, { input: { workspaceId, userId: member.id } }, admin.token), 'removeUser');

    for (const key of keys) refused(await gql(`{ viewer { id } }`, {}, key), 'UNAUTHENTICATED', 'a request with a removed person’s key');
    const rows = await server.db.query(`SELECT revoked_at FROM api_keys WHERE user_id = $1 AND workspace_id = $2`, [member.id, workspaceId]);
    same(rows.map((r: any) => r.revoked_at != null), [true, true], 'revoked_at of the removed person’s keys');
    // Someone else's key goes on working.
    same(ok(await gql(`{ viewer { id } }`, {}, adminKey), 'a request with the remover’s key').viewer.id, admin.id, 'the remover’s key');
  });
});

describe('removeUser closes the removed person’s open WebSockets with 4401', () => {
  it('closes their sockets (signed in with a token and with an API key) with 4401, and leaves others open', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await person(server, workspaceId, 'MEMBER');
    const key = await keyOf(member, workspaceId);
    const byToken = await openSocket(member.token);
    const byKey = await openSocket(key);
    const others = await openSocket(admin.token);
    // A live subscription on the member's token socket, as the Activity Center keeps one.
    follow(byToken.client, FEED, { workspaceId });

    ok(await gql(Q.removeUser, { input: { workspaceId, userId: member.id } }, admin.token), 'removeUser');

    same(await within(byToken.closed, CLOSE_WAIT, 'the removed person’s token socket to close (expected code 4401)'), 4401, 'the close code of the removed person’s token socket');
    same(await within(byKey.closed, CLOSE_WAIT, 'the removed person’s API-key socket to close (expected code 4401)'), 4401, 'the close code of the removed person’s API-key socket');
    // The remover's socket still serves.
    const still = await within(
      new Promise<any>((resolve, reject) => {
        let result: any;
        others.client.subscribe({ query: '{ viewer { id } }' }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
      }),
      10_000,
      'a query over the remover’s socket after the removal',
    );
    same(still?.data?.viewer?.id, admin.id, 'a query over the remover’s socket after the removal');
  });

  it('closes a TASKER’s socket with 4401 when a WORKFORCE_MANAGER removes them', async () => {
    const { workspaceId } = await createWorkspace(server);
    const wfm = await person(server, workspaceId, 'WORKFORCE_MANAGER');
    const tasker = await person(server, workspaceId, 'TASKER');
    const socket = await openSocket(tasker.token);
    ok(await gql(Q.removeUser, { input: { workspaceId, userId: tasker.id } }, wfm.token), 'removeUser of a TASKER by a WORKFORCE_MANAGER');
    same(await within(socket.closed, CLOSE_WAIT, 'the removed TASKER’s socket to close (expected code 4401)'), 4401, 'the close code of the removed TASKER’s socket');
  });
});

describe('removeUser cancels the removed person’s PROCESSING jobs, in the same transaction', () => {
  it('cancels them with cancelledBy = the remover, also when the remover (a WORKFORCE_MANAGER) does not see the jobs', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const wfm = await person(server, workspaceId, 'WORKFORCE_MANAGER');
    const tasker = await person(server, workspaceId, 'TASKER');
    const dataset = await resource(server, workspaceId, 'DATASET', 'Tasker imports', [admin.id, tasker.id]);
    const jobs: string[] = [];
    for (let i = 0; i < 3; i++) jobs.push(ok(await gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, tasker.token), 'startJob by the TASKER').startJob.id);
    ok(await gql(Q.cancelJob, { id: jobs[2] }, tasker.token), 'cancelJob by its starter');
    const adminFeed = follow(server.ws(admin.token), FEED, { workspaceId, after: await feedCursor(server, admin, workspaceId) });

    ok(await gql(Q.removeUser, { input: { workspaceId, userId: tasker.id } }, wfm.token), 'removeUser of the TASKER by the WORKFORCE_MANAGER');

    const rows = await server.db.query(`SELECT id, status FROM jobs WHERE workspace_id = $1 ORDER BY id`, [workspaceId]);
    same(rows.map((r: any) => r.status), ['CANCELLED', 'CANCELLED', 'CANCELLED'], 'the statuses of the removed TASKER’s jobs');
    const JOB = `query($w: ID!, $j: ID!) { workspace(id: $w) { job(id: $j) { status cancelledBy { id } user { id status removedAt } } } }`;
    for (const [jobId, by] of [[jobs[0], wfm.id], [jobs[1], wfm.id], [jobs[2], tasker.id]]) {
      const job = ok(await gql(JOB, { w: workspaceId, j: jobId }, admin.token), 'reading a job of the removed TASKER').workspace.job;
      same(
        { status: job.status, cancelledBy: job.cancelledBy?.id ?? null, userStatus: job.user.status, removedAt: job.user.removedAt != null },
        { status: 'CANCELLED', cancelledBy: by, userStatus: 'REMOVED', removedAt: true },
        `the job ${jobId === jobs[2] ? 'its starter had cancelled before' : 'cancelled by the removal'}`,
      );
    }
    await adminFeed.waitFor(
      () => [jobs[0], jobs[1]].every((id) => adminFeed.events.some((e) => e.jobEvents.job.id === id && e.jobEvents.status === 'CANCELLED')),
      'the CANCELLED events of both PROCESSING jobs on the ADMIN’s feed',
    );
  });

  it('cancels nothing, revokes nothing and closes nothing when the removal is refused (REPLACEMENT_REQUIRED)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await person(server, workspaceId, 'MEMBER');
    const dataset = await resource(server, workspaceId, 'DATASET', 'Sole', [member.id]);
    const job = ok(await gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, member.token), 'startJob').startJob;
    const key = await keyOf(member, workspaceId);
    const before = await workspaceState(server, workspaceId);
    refused(await gql(Q.removeUser, { input: { workspaceId, userId: member.id } }, admin.token), 'REPLACEMENT_REQUIRED', 'removeUser of a sole dataset ADMIN');
    await unchanged(server, workspaceId, before, 'a refused removeUser');
    same((await server.db.query(`SELECT status FROM jobs WHERE id = $1`, [job.id]))[0].status, 'PROCESSING', 'the job after a refused removal');
    same(ok(await gql(`{ viewer { id } }`, {}, key), 'the key after a refused removal').viewer.id, member.id, 'the key after a refused removal');
  });
});

describe('removal by the operator’s command-line tool', () => {
  async function cliRemoveAdmin(workspaceId: string, email: string) {
    let out = '';
    let err = '';
    const code = await runCli(['remove-admin', '--workspace', workspaceId, '--email', email], {
      env: { NODE_ENV: 'test', AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', SEED_DEMO: 'false' },
      database: server.database,
      io: { out: (t) => void (out += t), err: (t) => void (err += t) },
    });
    if (code !== 0) throw new Error(`remove-admin failed (${code}): ${err}`);
    return out;
  }

  it('cancels the removed ADMIN’s PROCESSING jobs with cancelledBy null, revokes their keys, and shows them REMOVED', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await person(server, workspaceId, 'ADMIN');
    const dataset = await resource(server, workspaceId, 'DATASET', 'Ops', [admin.id]);
    const job = ok(await gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, other.token), 'startJob by the ADMIN').startJob;
    const key = await keyOf(other, workspaceId);
    await cliRemoveAdmin(workspaceId, other.email);
    const JOB = `query($w: ID!, $j: ID!) { workspace(id: $w) { job(id: $j) { status cancelledBy { id } user { id status removedAt } } } }`;
    const read = ok(await gql(JOB, { w: workspaceId, j: job.id }, admin.token), 'reading the job').workspace.job;
    same(
      { status: read.status, cancelledBy: read.cancelledBy, userStatus: read.user.status, removedAt: read.user.removedAt != null },
      { status: 'CANCELLED', cancelledBy: null, userStatus: 'REMOVED', removedAt: true },
      'the job of an ADMIN the operator removed',
    );
    refused(await gql(`{ viewer { id } }`, {}, key), 'UNAUTHENTICATED', 'a request with the key of a person the operator removed');
  });

  it('closes the removed ADMIN’s open socket with 4401', async () => {
    const { workspaceId } = await createWorkspace(server);
    const other = await person(server, workspaceId, 'ADMIN');
    const socket = await openSocket(other.token);
    await cliRemoveAdmin(workspaceId, other.email);
    same(await within(socket.closed, CLOSE_WAIT, 'the socket of the ADMIN the operator removed to close (expected code 4401)'), 4401, 'the close code after a removal by the operator');
  });
});
