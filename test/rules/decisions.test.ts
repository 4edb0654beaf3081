import { randomUUID } from 'node:crypto';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import {
  Q,
  group,
  groupManagerIds,
  masked,
  ok,
  person,
  refused,
  resource,
  same,
  unchanged,
  workspaceState,
  type Person,
} from './support';

/**
 * The product decisions taken for issue 13 that the regression tests of the issue's
 * bullets (regressions.test.ts) do not already cover: REMOVED status (1), DECLINED and REMOVED
 * people named in inputs (2), the replacement in removeUser (3), group managers are not TASKERs
 * (8), and retryJob (13). Each refusal also proves that nothing changed.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string) => server.gql(query, variables, token);

/** A person removed through the API by the workspace ADMIN. */
async function removed(workspaceId: string, admin: Person, role: 'MEMBER' | 'TASKER' = 'MEMBER'): Promise<Person> {
  const p = await person(server, workspaceId, role);
  ok(await gql(Q.removeUser, { input: { workspaceId, userId: p.id } }, admin.token), 'removeUser (setup)');
  return p;
}

describe('decision 1: status REMOVED', () => {
  const USERS = `query($w: ID!, $filter: UserFilter) { workspace(id: $w) { users(filter: $filter, first: 100) { totalCount nodes { id status removedAt } } } }`;
  const USER = `query($w: ID!, $u: ID!) { workspace(id: $w) { user(id: $u) { id status removedAt } } }`;

  it('keeps REMOVED people out of workspace.users (and its totalCount) unless filter.status is REMOVED', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const stays = await person(server, workspaceId, 'MEMBER');
    const gone = await removed(workspaceId, admin);
    const all = ok(await gql(USERS, { w: workspaceId }, admin.token), 'workspace.users').workspace.users;
    same(
      { ids: all.nodes.map((n: any) => n.id).sort(), totalCount: all.totalCount },
      { ids: [admin.id, stays.id].sort(), totalCount: 2 },
      'workspace.users without a status filter',
    );
    const listed = ok(await gql(USERS, { w: workspaceId, filter: { status: 'REMOVED' } }, admin.token), 'workspace.users(status: REMOVED)').workspace.users;
    same(
      { nodes: listed.nodes.map((n: any) => ({ id: n.id, status: n.status, removed: n.removedAt != null })), totalCount: listed.totalCount },
      { nodes: [{ id: gone.id, status: 'REMOVED', removed: true }], totalCount: 1 },
      'workspace.users(filter: { status: REMOVED })',
    );
  });

  it.each(['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER'] as const)('answers workspace.user(id) of a REMOVED person to a %s, with status REMOVED and removedAt', async (role) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const viewer = role === 'ADMIN' ? admin : await person(server, workspaceId, role);
    const gone = await removed(workspaceId, admin);
    const user = ok(await gql(USER, { w: workspaceId, u: gone.id }, viewer.token), 'workspace.user of a REMOVED person').workspace.user;
    same({ id: user?.id, status: user?.status, removed: user?.removedAt != null }, { id: gone.id, status: 'REMOVED', removed: true }, `workspace.user(REMOVED person) as a ${role}`);
  });

  it('answers workspace.user(id) of a REMOVED person to a TASKER as null (a TASKER sees no other person)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const tasker = await person(server, workspaceId, 'TASKER');
    const gone = await removed(workspaceId, admin);
    same(ok(await gql(USER, { w: workspaceId, u: gone.id }, tasker.token), 'workspace.user as a TASKER').workspace.user, null, 'workspace.user(REMOVED person) as a TASKER');
  });

  it.each([
    ['removeUser', (w: string, u: string) => [Q.removeUser, { input: { workspaceId: w, userId: u } }] as const],
    ['changeUserRole', (w: string, u: string) => [Q.changeUserRole, { input: { workspaceId: w, userId: u, role: 'WORKFORCE_MANAGER' } }] as const],
  ])('answers %s on a REMOVED person with NOT_FOUND; nothing changes', async (op, call) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const gone = await removed(workspaceId, admin);
    const before = await workspaceState(server, workspaceId);
    const [query, variables] = call(workspaceId, gone.id);
    refused(await gql(query, variables, admin.token), 'NOT_FOUND', `${op} on a REMOVED person`);
    await unchanged(server, workspaceId, before, `${op} on a REMOVED person`);
  });
});

describe('decision 2: naming a DECLINED or REMOVED person is BAD_USER_INPUT (field named); an id of no one is NOT_FOUND', () => {
  type Op = { name: string; field: string; run: (s: { workspaceId: string; admin: Person; project: string; groupId: string }, userId: string) => Promise<any> };
  const ops: Op[] = [
    {
      name: 'assignUser',
      field: 'input.userId',
      run: (s, userId) => gql(Q.assignUser, { input: { workspaceId: s.workspaceId, userId, resourceType: 'PROJECT', resourceIds: [s.project], role: 'ANNOTATOR' } }, s.admin.token),
    },
    { name: 'addGroupMembers', field: 'input.userIds', run: (s, userId) => gql(Q.addGroupMembers, { input: { groupId: s.groupId, userIds: [userId] } }, s.admin.token) },
    { name: 'addGroupManagers', field: 'input.userIds', run: (s, userId) => gql(Q.addGroupManagers, { input: { groupId: s.groupId, userIds: [userId] } }, s.admin.token) },
    { name: 'createGroup(memberIds)', field: 'input.memberIds', run: (s, userId) => gql(Q.createGroup, { input: { workspaceId: s.workspaceId, name: 'New', memberIds: [userId] } }, s.admin.token) },
    { name: 'createGroup(managerIds)', field: 'input.managerIds', run: (s, userId) => gql(Q.createGroup, { input: { workspaceId: s.workspaceId, name: 'New', managerIds: [userId] } }, s.admin.token) },
    { name: 'updateGroup(memberIds)', field: 'input.memberIds', run: (s, userId) => gql(Q.updateGroup, { input: { groupId: s.groupId, memberIds: [userId] } }, s.admin.token) },
    { name: 'updateGroup(managerIds)', field: 'input.managerIds', run: (s, userId) => gql(Q.updateGroup, { input: { groupId: s.groupId, managerIds: [userId] } }, s.admin.token) },
  ];
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const project = await resource(server, workspaceId, 'PROJECT', 'P', [admin.id]);
    const groupId = await group(server, workspaceId, { name: 'Team', createdBy: admin.id });
    return { workspaceId, admin, project, groupId };
  }

  it.each(ops.flatMap((op) => (['DECLINED', 'REMOVED'] as const).map((status) => [op.name, status, op] as const)))(
    '%s naming a %s person: BAD_USER_INPUT; nothing changes',
    async (name, status, op) => {
      const s = await setting();
      const subject = status === 'DECLINED' ? await person(server, s.workspaceId, 'MEMBER', 'DECLINED') : await removed(s.workspaceId, s.admin);
      const before = await workspaceState(server, s.workspaceId);
      refused(await op.run(s, subject.id), 'BAD_USER_INPUT', `${name} naming a ${status} person`, op.field);
      await unchanged(server, s.workspaceId, before, `${name} naming a ${status} person`);
    },
  );

  it.each(ops.map((op) => [op.name, op] as const))('%s naming an id of no one: NOT_FOUND; nothing changes', async (name, op) => {
    const s = await setting();
    const before = await workspaceState(server, s.workspaceId);
    refused(await op.run(s, randomUUID()), 'NOT_FOUND', `${name} naming an id of no one`);
    await unchanged(server, s.workspaceId, before, `${name} naming an id of no one`);
  });

  it.each(ops.map((op) => [op.name, op] as const))('%s naming an INVITED person works', async (name, op) => {
    const s = await setting();
    const invited = await person(server, s.workspaceId, 'MEMBER', 'INVITED');
    ok(await op.run(s, invited.id), `${name} naming an INVITED person`);
  });
});

describe('decision 3: the replacement in removeUser must be a JOINED person of the workspace', () => {
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const leaving = await person(server, workspaceId, 'MEMBER');
    const project = await resource(server, workspaceId, 'PROJECT', 'Solo', [leaving.id]);
    return { workspaceId, admin, leaving, project };
  }

  it.each([
    ['an INVITED person', 'INVITED', 'BAD_USER_INPUT'],
    ['a DECLINED person', 'DECLINED', 'BAD_USER_INPUT'],
    ['a REMOVED person', 'REMOVED', 'BAD_USER_INPUT'],
    ['the person removed', 'self', 'BAD_USER_INPUT'],
    ['an id of no one', 'unknown', 'NOT_FOUND'],
  ] as const)('refuses %s as replacement (%s); nothing changes', async (_what, kind, code) => {
    const s = await setting();
    const replacementUserId =
      kind === 'INVITED' || kind === 'DECLINED'
        ? (await person(server, s.workspaceId, 'MEMBER', kind)).id
        : kind === 'REMOVED'
          ? (await removed(s.workspaceId, s.admin)).id
          : kind === 'self'
            ? s.leaving.id
            : randomUUID();
    const before = await workspaceState(server, s.workspaceId);
    const res = await gql(Q.removeUser, { input: { workspaceId: s.workspaceId, userId: s.leaving.id, replacementUserId } }, s.admin.token);
    refused(res, code, `removeUser with ${kind} as replacement`, code === 'BAD_USER_INPUT' ? 'input.replacementUserId' : undefined);
    await unchanged(server, s.workspaceId, before, `removeUser with ${kind} as replacement`);
  });

  it('hands the resources to a JOINED replacement', async () => {
    const s = await setting();
    const heir = await person(server, s.workspaceId, 'MEMBER');
    const res = ok(await gql(Q.removeUser, { input: { workspaceId: s.workspaceId, userId: s.leaving.id, replacementUserId: heir.id } }, s.admin.token), 'removeUser with a JOINED replacement');
    same(res.removeUser.reassigned.map((r: any) => r.id), [s.project], 'reassigned');
  });
});

describe('decision 8: group managers are internal and not TASKERs; a TASKER manages no group', () => {
  it.each([
    ['addGroupManagers', 'input.userIds'],
    ['createGroup(managerIds)', 'input.managerIds'],
    ['updateGroup(managerIds)', 'input.managerIds'],
  ] as const)('refuses a TASKER as manager through %s (BAD_USER_INPUT); nothing changes', async (op, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const tasker = await person(server, workspaceId, 'TASKER');
    const groupId = await group(server, workspaceId, { createdBy: admin.id });
    const before = await workspaceState(server, workspaceId);
    const res =
      op === 'addGroupManagers'
        ? await gql(Q.addGroupManagers, { input: { groupId, userIds: [tasker.id] } }, admin.token)
        : op === 'createGroup(managerIds)'
          ? await gql(Q.createGroup, { input: { workspaceId, name: 'Led by a tasker', managerIds: [tasker.id] } }, admin.token)
          : await gql(Q.updateGroup, { input: { groupId, managerIds: [tasker.id] } }, admin.token);
    refused(res, 'BAD_USER_INPUT', `${op} naming a TASKER`, field);
    await unchanged(server, workspaceId, before, `${op} naming a TASKER`);
  });

  it('answers changeUserRole of a manager to TASKER with INVARIANT naming the groups they manage; nothing changes; allowed once they manage none', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const manager = await person(server, workspaceId, 'MEMBER');
    const g1 = await group(server, workspaceId, { name: 'Alpha', managers: [manager.id], createdBy: admin.id });
    const g2 = await group(server, workspaceId, { name: 'Beta', managers: [manager.id], createdBy: admin.id });
    await group(server, workspaceId, { name: 'Gamma', members: [manager.id], createdBy: admin.id });
    const before = await workspaceState(server, workspaceId);
    const error = refused(await gql(Q.changeUserRole, { input: { workspaceId, userId: manager.id, role: 'TASKER' } }, admin.token), 'INVARIANT', 'changeUserRole of a group manager to TASKER');
    const groups = [...(error.extensions?.groups ?? [])].sort((a: any, b: any) => a.name.localeCompare(b.name));
    same(groups, [{ id: g1, name: 'Alpha' }, { id: g2, name: 'Beta' }], 'extensions.groups (the groups they manage)');
    await unchanged(server, workspaceId, before, 'changeUserRole of a group manager to TASKER');

    for (const g of [g1, g2]) ok(await gql(Q.removeGroupManagers, { input: { groupId: g, userIds: [manager.id] } }, admin.token), 'removeGroupManagers');
    ok(await gql(Q.changeUserRole, { input: { workspaceId, userId: manager.id, role: 'TASKER' } }, admin.token), 'changeUserRole to TASKER of someone who manages no group');
  });

  it('answers inviting again as TASKER a DECLINED person who still manages a group with INVARIANT naming the group; as MEMBER it works', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const lead = await person(server, workspaceId, 'MEMBER');
    const g = await group(server, workspaceId, { name: 'Alpha', managers: [lead.id], createdBy: admin.id });
    await server.db.query(`UPDATE memberships SET status = 'DECLINED', declined_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, lead.id]);
    const before = await workspaceState(server, workspaceId);
    const invite = `mutation($input: InviteUsersInput!) { inviteUsers(input: $input) { id role status } }`;
    const error = refused(await gql(invite, { input: { workspaceId, emails: [lead.email], role: 'TASKER' } }, admin.token), 'INVARIANT', 'inviting a declined manager as TASKER');
    same(error.extensions?.groups, [{ id: g, name: 'Alpha' }], 'extensions.groups');
    await unchanged(server, workspaceId, before, 'inviting a declined manager as TASKER');
    ok(await gql(invite, { input: { workspaceId, emails: [lead.email], role: 'MEMBER' } }, admin.token), 'inviting them again as MEMBER');
  });

  it.each(['addGroupMembers', 'removeGroupMembers'] as const)('refuses %s by a TASKER left as a manager from before the rule (FORBIDDEN); nothing changes', async (op) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const tasker = await person(server, workspaceId, 'TASKER');
    const member = await person(server, workspaceId, 'MEMBER');
    const newcomer = await person(server, workspaceId, 'MEMBER');
    const groupId = await group(server, workspaceId, { members: [member.id], managers: [tasker.id], createdBy: admin.id });
    const before = await workspaceState(server, workspaceId);
    const userIds = op === 'addGroupMembers' ? [newcomer.id] : [member.id];
    refused(await gql(Q[op], { input: { groupId, userIds } }, tasker.token), 'FORBIDDEN', `${op} by a TASKER manager`);
    await unchanged(server, workspaceId, before, `${op} by a TASKER manager`);
    same(await groupManagerIds(server, groupId), [tasker.id], 'the managers (the test left the TASKER there on purpose)');
  });

  it('answers addGroupMembers by a TASKER on a group they do not see with NOT_FOUND', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const tasker = await person(server, workspaceId, 'TASKER');
    const groupId = await group(server, workspaceId, { createdBy: admin.id });
    const before = await workspaceState(server, workspaceId);
    refused(await gql(Q.addGroupMembers, { input: { groupId, userIds: [tasker.id] } }, tasker.token), 'NOT_FOUND', 'addGroupMembers by a TASKER on a group they do not see');
    await unchanged(server, workspaceId, before, 'addGroupMembers by a TASKER on a group they do not see');
  });
});

describe('decision 13: retryJob needs seeing the job (else NOT_FOUND) and startJob on its resource (else FORBIDDEN)', () => {
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const starter = await person(server, workspaceId, 'MEMBER');
    const dataset = await resource(server, workspaceId, 'DATASET', 'Imports', [admin.id, starter.id]);
    const job = ok(await gql(Q.startJob, { input: { workspaceId, type: 'DATA_IMPORT', datasetId: dataset } }, starter.token), 'startJob').startJob;
    ok(await gql(Q.failJob, { input: { jobId: job.id, errorMessage: 'boom' } }, starter.token), 'failJob');
    return { workspaceId, admin, starter, dataset, jobId: job.id as string };
  }

  it('answers a MEMBER who did not start the job with NOT_FOUND, as for an unknown job; nothing changes', async () => {
    const s = await setting();
    const other = await person(server, s.workspaceId, 'MEMBER');
    await server.db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [s.dataset, other.id, s.workspaceId]);
    const before = await workspaceState(server, s.workspaceId);
    const forJob = await gql(Q.retryJob, { id: s.jobId }, other.token);
    refused(forJob, 'NOT_FOUND', 'retryJob of someone else’s job (by a dataset ADMIN who may start imports)');
    const unknown = randomUUID();
    same(masked(forJob, { job: s.jobId }), masked(await gql(Q.retryJob, { id: unknown }, other.token), { job: unknown }), 'retryJob: someone else’s job must answer as an unknown job');
    await unchanged(server, s.workspaceId, before, 'retryJob of someone else’s job');
  });

  it('answers the starter who may no longer start it (dataset ADMIN taken away) with FORBIDDEN; nothing changes', async () => {
    const s = await setting();
    ok(await gql(Q.assignUser, { input: { workspaceId: s.workspaceId, userId: s.starter.id, resourceType: 'DATASET', resourceIds: [s.dataset], role: 'USER' } }, s.admin.token), 'demoting the starter to USER');
    const before = await workspaceState(server, s.workspaceId);
    refused(await gql(Q.retryJob, { id: s.jobId }, s.starter.token), 'FORBIDDEN', 'retryJob by a starter who may no longer start the job');
    await unchanged(server, s.workspaceId, before, 'retryJob by a starter who may no longer start the job');
  });

  it('lets the starter who may still start it retry it', async () => {
    const s = await setting();
    const retried = ok(await gql(Q.retryJob, { id: s.jobId }, s.starter.token), 'retryJob by its starter').retryJob;
    same(retried.status, 'PROCESSING', 'the retried job’s status');
  });
});

