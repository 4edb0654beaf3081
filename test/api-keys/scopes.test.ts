import { isObjectType } from 'graphql';
import { ruleOf } from '../../src/authorization/guard';
import { policy } from '../../src/authorization/policy';
import { buildAppSchema } from '../../src/schema';
import { addMember, countRows, createWorkspace, type Person } from '../support/fixtures';
import { errorCode, startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { CANCEL_JOB, COMPLETE_JOB, createResource, FAIL_JOB, ok, REPORT_PROGRESS, RETRY_JOB, START_JOB, subscribe } from '../jobs/fixtures';

/** API key scopes (READ < JOBS < FULL) and expiry, through the API on a real database. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Scope = 'READ' | 'JOBS' | 'FULL';
const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id name scopes expiresAt } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) }`;
const INVITE = `mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { id } }`;
const CREATE_GROUP = `mutation($i: CreateGroupInput!) { createGroup(input: $i) { id } }`;
const ASSIGN = `mutation($i: AssignUserInput!) { assignUser(input: $i) { role } }`;
const CREATE_PROJECT = `mutation($i: CreateResourceInput!) { createProject(input: $i) { id } }`;
const READ_ALL = `query($w: ID!) { viewer { id } workspace(id: $w) { id users { totalCount } jobs { totalCount } apiKeys { id } datasets { nodes { id } } } }`;
const WORKSPACE_CAN = `query($w: ID!) { workspace(id: $w) { viewerCan { update inviteRoles seeMembers createResources createGroup manageProjectTags manageIssueTags seeAuditLog } } }`;
const JOB_CAN = `query($w: ID!, $id: ID!) { workspace(id: $w) { job(id: $id) { status viewerCan { report cancel retry } } } }`;
const DATASET_CAN = `query($w: ID!, $id: ID!) { workspace(id: $w) { dataset(id: $id) { viewerCan { startJobTypes assignableRoles } } } }`;

async function makeKey(person: Person, workspaceId: string, input: { scopes?: Scope[]; expiresAt?: string } = {}) {
  const made = ok(await server.gql(CREATE, { i: { workspaceId, name: 'key', ...input } }, person.token)).createApiKey;
  return made as { key: string; apiKey: { id: string; scopes: Scope[]; expiresAt: string | null } };
}

/** A workspace whose ADMIN holds a dataset, and a key of that ADMIN with these scopes. */
async function keyed(scopes?: Scope[]) {
  const { workspaceId, admin } = await createWorkspace(server);
  const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
  const made = await makeKey(admin, workspaceId, scopes ? { scopes } : {});
  return { workspaceId, admin, datasetId, key: made.key, apiKey: made.apiKey };
}

const start = (token: string, workspaceId: string, datasetId: string) =>
  server.gql(START_JOB, { input: { workspaceId, type: 'DATA_IMPORT', datasetId } }, token);

/** FORBIDDEN, its message naming what the key lacks. */
function refusedFor(res: GqlResult, message: RegExp) {
  expect(errorCode(res)).toBe('FORBIDDEN');
  expect(res.errors![0].message).toMatch(message);
}

describe('the policy table gives each rule the scope it needs', () => {
  const JOB_MUTATIONS = ['startJob', 'reportJobProgress', 'completeJob', 'failJob', 'cancelJob', 'retryJob'];

  it('reads need READ, the six job mutations JOBS, every other mutation FULL or no key at all', async () => {
    const schema = await buildAppSchema();
    const wrong: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        const rule = ruleOf(schema, field as any);
        if (!rule) continue;
        const need = (policy[rule] as { key?: string }).key ?? 'FULL';
        const expected =
          type.name !== 'Mutation' ? ['READ'] : JOB_MUTATIONS.includes(field.name) ? ['JOBS'] : ['createApiKey', 'createWorkspace'].includes(field.name) ? ['never'] : ['FULL'];
        if (!expected.includes(need)) wrong.push(`${type.name}.${field.name} (${rule}): ${need}, expected ${expected}`);
      }
    }
    expect(wrong).toEqual([]);
  });
});

describe('a READ key', () => {
  it('queries and subscribes, but starts no job and invites no one', async () => {
    const { workspaceId, admin, datasetId, key } = await keyed(['READ']);
    const read = ok(await server.gql(READ_ALL, { w: workspaceId }, key));
    expect(read).toMatchObject({ viewer: { id: admin.id }, workspace: { id: workspaceId, users: { totalCount: 1 }, datasets: { nodes: [{ id: datasetId }] } } });

    const feed = subscribe(server.ws(key), { workspaceId });
    await new Promise((resolve) => setTimeout(resolve, 200)); // subscribed before the job starts
    const job = ok(await start(admin.token, workspaceId, datasetId)).startJob;
    expect((await feed.until(1))[0]).toMatchObject({ status: 'PROCESSING', job: { id: job.id } });
    feed.dispose();

    const jobsBefore = await countRows(server, 'jobs');
    refusedFor(await start(key, workspaceId, datasetId), /needs the JOBS scope/);
    refusedFor(await server.gql(CANCEL_JOB, { jobId: job.id }, key), /needs the JOBS scope/);
    expect(await countRows(server, 'jobs')).toBe(jobsBefore);
    const membersBefore = await countRows(server, 'memberships');
    refusedFor(await server.gql(INVITE, { i: { workspaceId, emails: ['x@acme.test'], role: 'MEMBER' } }, key), /needs the FULL scope/);
    expect(await countRows(server, 'memberships')).toBe(membersBefore);
  });

  it('answers FORBIDDEN, not NOT_FOUND, for a job it could not see anyway: the scope is checked before any object', async () => {
    const { key } = await keyed(['READ']);
    refusedFor(await server.gql(CANCEL_JOB, { jobId: '00000000-0000-4000-8000-000000000000' }, key), /needs the JOBS scope/);
  });

  it('is told by viewerCan that it may change nothing', async () => {
    const { workspaceId, admin, datasetId, key } = await keyed(['READ']);
    const job = ok(await start(admin.token, workspaceId, datasetId)).startJob;
    expect(ok(await server.gql(WORKSPACE_CAN, { w: workspaceId }, key)).workspace.viewerCan).toEqual({
      update: false,
      inviteRoles: [],
      seeMembers: true,
      createResources: false,
      createGroup: false,
      manageProjectTags: false,
      manageIssueTags: false,
      seeAuditLog: true,
    });
    expect(ok(await server.gql(JOB_CAN, { w: workspaceId, id: job.id }, key)).workspace.job.viewerCan).toEqual({ report: false, cancel: false, retry: false });
    expect(ok(await server.gql(DATASET_CAN, { w: workspaceId, id: datasetId }, key)).workspace.dataset.viewerCan).toEqual({ startJobTypes: [], assignableRoles: [] });
    // The same person signed in may do all of it.
    expect(ok(await server.gql(JOB_CAN, { w: workspaceId, id: job.id }, admin.token)).workspace.job.viewerCan).toEqual({ report: true, cancel: true, retry: false });
  });
});

describe('a JOBS key', () => {
  it('starts, reports, completes, fails, cancels and retries jobs', async () => {
    const { workspaceId, datasetId, key } = await keyed(['JOBS']);
    const first = ok(await start(key, workspaceId, datasetId)).startJob;
    expect(ok(await server.gql(REPORT_PROGRESS, { input: { jobId: first.id, progress: 0.5 } }, key)).reportJobProgress).toMatchObject({ progress: 0.5 });
    expect(ok(await server.gql(COMPLETE_JOB, { jobId: first.id }, key)).completeJob).toMatchObject({ status: 'SUCCESS' });

    const second = ok(await start(key, workspaceId, datasetId)).startJob;
    expect(ok(await server.gql(FAIL_JOB, { input: { jobId: second.id, errorMessage: 'disk full' } }, key)).failJob).toMatchObject({ status: 'ERROR' });
    const retried = ok(await server.gql(RETRY_JOB, { jobId: second.id }, key)).retryJob;
    expect(retried).toMatchObject({ status: 'PROCESSING', retryOf: { id: second.id } });
    expect(ok(await server.gql(CANCEL_JOB, { jobId: retried.id }, key)).cancelJob).toMatchObject({ status: 'CANCELLED' });
  });

  it('may do nothing else: invite, create a group, assign, make or revoke a key', async () => {
    const { workspaceId, datasetId, key, apiKey } = await keyed(['JOBS']);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const tables = ['memberships', 'groups', 'resource_user_roles', 'api_keys', 'audit_log'];
    const before = await Promise.all(tables.map((t) => countRows(server, t)));

    refusedFor(await server.gql(INVITE, { i: { workspaceId, emails: ['x@acme.test'], role: 'MEMBER' } }, key), /needs the FULL scope/);
    refusedFor(await server.gql(CREATE_GROUP, { i: { workspaceId, name: 'g' } }, key), /needs the FULL scope/);
    refusedFor(
      await server.gql(ASSIGN, { i: { workspaceId, userId: member.id, resourceType: 'DATASET', resourceIds: [datasetId], role: 'USER' } }, key),
      /needs the FULL scope/,
    );
    refusedFor(await server.gql(CREATE, { i: { workspaceId, name: 'child' } }, key), /An API key may not do this/);
    refusedFor(await server.gql(REVOKE, { id: apiKey.id }, key), /needs the FULL scope/);

    expect(await Promise.all(tables.map((t) => countRows(server, t)))).toEqual(before);
    expect((await server.gql(READ_ALL, { w: workspaceId }, key)).data.workspace.apiKeys).toHaveLength(1); // still live
  });

  it('is told by viewerCan that it may run jobs and nothing more', async () => {
    const { workspaceId, datasetId, key } = await keyed(['JOBS']);
    const running = ok(await start(key, workspaceId, datasetId)).startJob;
    const failed = ok(await start(key, workspaceId, datasetId)).startJob;
    ok(await server.gql(FAIL_JOB, { input: { jobId: failed.id, errorMessage: 'x' } }, key));
    expect(ok(await server.gql(JOB_CAN, { w: workspaceId, id: running.id }, key)).workspace.job.viewerCan).toEqual({ report: true, cancel: true, retry: false });
    expect(ok(await server.gql(JOB_CAN, { w: workspaceId, id: failed.id }, key)).workspace.job.viewerCan).toEqual({ report: false, cancel: false, retry: true });
    expect(ok(await server.gql(DATASET_CAN, { w: workspaceId, id: datasetId }, key)).workspace.dataset.viewerCan).toEqual({
      startJobTypes: ['DATA_IMPORT'],
      assignableRoles: [],
    });
    const can = ok(await server.gql(WORKSPACE_CAN, { w: workspaceId }, key)).workspace.viewerCan;
    expect(can).toMatchObject({ update: false, inviteRoles: [], createResources: false, createGroup: false, seeMembers: true });
  });

  it('reaches the highest scope listed: [READ, JOBS] runs jobs; a repeated scope is kept once', async () => {
    const { workspaceId, admin, datasetId } = await keyed();
    const both = await makeKey(admin, workspaceId, { scopes: ['READ', 'JOBS', 'READ'] });
    expect(both.apiKey.scopes).toEqual(['READ', 'JOBS']);
    expect(ok(await start(both.key, workspaceId, datasetId)).startJob.status).toBe('PROCESSING');
  });
});

describe('a FULL key', () => {
  it('is the default, and does what its maker may', async () => {
    const { workspaceId, admin, apiKey, key } = await keyed();
    expect(apiKey).toMatchObject({ scopes: ['FULL'], expiresAt: null });
    ok(await server.gql(INVITE, { i: { workspaceId, emails: ['new@acme.test'], role: 'MEMBER' } }, key));
    ok(await server.gql(CREATE_GROUP, { i: { workspaceId, name: 'Reviewers' } }, key));
    const other = await makeKey(admin, workspaceId);
    expect(ok(await server.gql(REVOKE, { id: other.apiKey.id }, key)).revokeApiKey).toBe(true);
  });

  it("does no more than its maker may: a MEMBER's FULL key is no ADMIN", async () => {
    const { workspaceId } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const { key } = await makeKey(member, workspaceId, { scopes: ['FULL'] });
    expect(ok(await server.gql(CREATE_PROJECT, { i: { workspaceId, name: 'Mine' } }, key)).createProject.id).toBeTruthy();
    const members = await countRows(server, 'memberships');
    const invite = await server.gql(INVITE, { i: { workspaceId, emails: ['x@acme.test'], role: 'MEMBER' } }, key);
    expect(errorCode(invite)).toBe('FORBIDDEN');
    expect(invite.errors![0].message).not.toMatch(/scope/); // the person's rule refuses, not the key's scope
    expect(errorCode(await server.gql(CREATE_GROUP, { i: { workspaceId, name: 'g' } }, key))).toBe('FORBIDDEN');
    expect(await countRows(server, 'memberships')).toBe(members);
  });

  it('makes no key and no workspace', async () => {
    const { workspaceId, key } = await keyed(['FULL']);
    const [keys, workspaces] = [await countRows(server, 'api_keys'), await countRows(server, 'workspaces')];
    refusedFor(await server.gql(CREATE, { i: { workspaceId, name: 'child' } }, key), /An API key may not do this/);
    refusedFor(await server.gql(`mutation { createWorkspace(input: { name: "Elsewhere" }) { id } }`, {}, key), /An API key may not do this/);
    expect([await countRows(server, 'api_keys'), await countRows(server, 'workspaces')]).toEqual([keys, workspaces]);
  });
});

describe('expiry', () => {
  /** The close code of a connection the server refuses at sign-in. */
  const refusedWith = (key: string) =>
    new Promise<number>((resolve, reject) => {
      const client = server.ws(key, { on: { closed: (event: any) => resolve(event.code) } });
      client.subscribe({ query: '{ viewer { id } }' }, { next: () => undefined, error: () => undefined, complete: () => reject(new Error('served')) });
    });

  it('shows expiresAt, and refuses an expired key with UNAUTHENTICATED over HTTP and WebSocket', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const made = await makeKey(admin, workspaceId, { scopes: ['READ'], expiresAt });
    expect(made.apiKey.expiresAt).toBe(expiresAt);
    expect(ok(await server.gql(READ_ALL, { w: workspaceId }, made.key)).workspace.id).toBe(workspaceId);

    await server.db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [made.apiKey.id]);
    const http = await server.gql(READ_ALL, { w: workspaceId }, made.key);
    expect(http.status).toBe(401);
    expect(errorCode(http)).toBe('UNAUTHENTICATED');
    expect(http.errors![0].message).toMatch(/expired/);
    expect(await refusedWith(made.key)).toBe(4401);
    // Still listed for its maker (to see and revoke), with the moment it stopped.
    const listed = ok(await server.gql(`query($w: ID!) { workspace(id: $w) { apiKeys { id expiresAt } } }`, { w: workspaceId }, admin.token));
    expect(listed.workspace.apiKeys).toEqual([{ id: made.apiKey.id, expiresAt: expect.any(String) }]);
  });

  it('closes an open socket with 4401 when its key expires, and ends its subscription', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made = await makeKey(admin, workspaceId, { scopes: ['READ'], expiresAt: new Date(Date.now() + 3_000).toISOString() });
    let closed: (code: number) => void = () => undefined;
    const closing = new Promise<number>((resolve) => (closed = resolve));
    const client = server.ws(made.key, { lazyCloseTimeout: 60_000, on: { closed: (event: any) => closed(event.code) } });
    const feed = subscribe(client, { workspaceId });
    expect(await closing).toBe(4401);
    await feed.ended();
    expect(errorCode(await server.gql(READ_ALL, { w: workspaceId }, made.key))).toBe('UNAUTHENTICATED');
  });
});

describe('bad input', () => {
  const yearsAhead = (years: number) => new Date(Date.now() + years * 365.25 * 86_400_000).toISOString();

  it.each([
    ['an empty scopes list', { scopes: [] }, 'input.scopes'],
    ['an expiry in the past', { expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'input.expiresAt'],
    ['an expiry more than 10 years ahead', { expiresAt: yearsAhead(10.1) }, 'input.expiresAt'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_what, input, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await countRows(server, 'api_keys');
    const res = await server.gql(CREATE, { i: { workspaceId, name: 'k', ...input } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
    expect(await countRows(server, 'api_keys')).toBe(before);
  });

  it.each([
    ['an unknown scope', { scopes: ['ADMIN'] }],
    ['an expiry that is no date', { expiresAt: 'tomorrow' }],
  ])('refuses %s with BAD_USER_INPUT', async (_what, input) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await countRows(server, 'api_keys');
    expect(errorCode(await server.gql(CREATE, { i: { workspaceId, name: 'k', ...input } }, admin.token))).toBe('BAD_USER_INPUT');
    expect(await countRows(server, 'api_keys')).toBe(before);
  });

  it('takes an expiry just under 10 years ahead', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    expect((await makeKey(admin, workspaceId, { expiresAt: yearsAhead(9.9) })).apiKey.expiresAt).not.toBeNull();
  });
});
