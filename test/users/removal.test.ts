import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { counts, membershipOf, REMOVE, resourceWithAdmin, USERS } from './users.support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const remove = (token: string, input: Record<string, unknown>) => server.gql(REMOVE, { input }, token);

async function group(workspaceId: string, name: string, members: string[], managers: string[] = []) {
  const id = randomUUID();
  await server.db.query(`INSERT INTO groups (id, workspace_id, name, name_key) VALUES ($1, $2, $3, lower($3))`, [id, workspaceId, name]);
  for (const userId of members) await server.db.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [id, userId]);
  for (const userId of managers) await server.db.query(`INSERT INTO group_managers (group_id, user_id) VALUES ($1, $2)`, [id, userId]);
  return id;
}

async function role(resourceId: string, userId: string) {
  const [row] = await server.db.query(`SELECT role FROM resource_user_roles WHERE resource_id = $1 AND user_id = $2`, [resourceId, userId]);
  return row?.role ?? null;
}

async function createKey(token: string, workspaceId: string): Promise<string> {
  const res = await server.gql(`mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }`, { i: { workspaceId, name: 'ci' } }, token);
  expect(res.errors).toBeUndefined();
  return res.data.createApiKey.key;
}

describe('removeUser', () => {
  it('takes the person out of every group and resource, revokes their keys, and keeps the membership row as history', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const project = await resourceWithAdmin(server, workspaceId, 'PROJECT', 'Kept project', [admin.id]);
    await server.db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ANNOTATOR')`, [project, person.id, workspaceId]);
    const asMember = await group(workspaceId, 'Annotators', [person.id, admin.id]);
    const asManager = await group(workspaceId, 'Managed', [admin.id], [person.id]);
    const key = await createKey(person.token, workspaceId);
    expect((await server.gql(`{ viewer { id } }`, {}, key)).data.viewer.id).toBe(person.id);

    const res = await remove(admin.token, { workspaceId, userId: person.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.removeUser).toEqual({ removedUserId: person.id, reassigned: [] });

    expect(await role(project, person.id)).toBeNull();
    expect(await role(project, admin.id)).toBe('ADMIN');
    const [left] = await server.db.query(
      `SELECT (SELECT count(*)::int FROM group_members WHERE user_id = $1) AS members, (SELECT count(*)::int FROM group_managers WHERE user_id = $1) AS managers,
              (SELECT count(*)::int FROM group_members WHERE group_id = $2) AS others`,
      [person.id, asMember],
    );
    expect(left).toEqual({ members: 0, managers: 0, others: 1 });
    expect((await membershipOf(server, workspaceId, person.id))!.removed_at).not.toBeNull();
    expect(errorCode(await server.gql(`{ viewer { id } }`, {}, key))).toBe('UNAUTHENTICATED');
    expect((await server.gql(`query($w: ID!) { workspace(id: $w) { id } }`, { w: workspaceId }, person.token)).data.workspace).toBeNull();

    const [entry] = await server.db.query(`SELECT actor_id, target_type, target_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'removeUser'`, [workspaceId]);
    expect(entry).toMatchObject({ actor_id: admin.id, target_type: 'WorkspaceUser', target_id: person.id });
    expect(entry.details).toMatchObject({
      email: person.email,
      role: 'MEMBER',
      status: 'JOINED',
      via: 'api',
      groups: [asMember],
      managerOf: [asManager],
      assignments: [{ resourceId: project, role: 'ANNOTATOR' }],
    });
    expect(entry.details.apiKeysRevoked).toHaveLength(1);
  });

  it('answers REPLACEMENT_REQUIRED, listing the resources, when the person is the sole direct ADMIN of some; nothing changes', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const other = await addMember(server, workspaceId, 'MEMBER');
    const project = await resourceWithAdmin(server, workspaceId, 'PROJECT', 'Solo project', [person.id]);
    const dataset = await resourceWithAdmin(server, workspaceId, 'DATASET', 'Solo dataset', [person.id]);
    await resourceWithAdmin(server, workspaceId, 'ONTOLOGY', 'Shared ontology', [person.id, other.id]);
    // An ADMIN role through a group does not count: the rule is about direct ADMINs.
    const viaGroup = await resourceWithAdmin(server, workspaceId, 'ONTOLOGY', 'Group-held ontology', [person.id]);
    const g = await group(workspaceId, 'Admins group', [other.id]);
    await server.db.query(`INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role) VALUES ($1, $2, $3, 'ADMIN')`, [viaGroup, g, workspaceId]);
    await group(workspaceId, 'Team', [person.id]);

    const before = await counts(server, ['resource_user_roles', 'group_members', 'audit_log']);
    const res = await remove(admin.token, { workspaceId, userId: person.id });
    expect(errorCode(res)).toBe('REPLACEMENT_REQUIRED');
    expect(res.errors![0].extensions!.resources).toEqual([
      { type: 'DATASET', id: dataset, name: 'Solo dataset' },
      { type: 'ONTOLOGY', id: viaGroup, name: 'Group-held ontology' },
      { type: 'PROJECT', id: project, name: 'Solo project' },
    ]);
    expect(res.errors![0].extensions!.hiddenCount).toBe(0); // a workspace ADMIN sees every resource
    expect(await counts(server, ['resource_user_roles', 'group_members', 'audit_log'])).toEqual(before);
    expect((await membershipOf(server, workspaceId, person.id))!.removed_at).toBeNull();
  });

  it('hands the resources to a JOINED replacement in the same transaction', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const heir = await addMember(server, workspaceId, 'MEMBER', 'JOINED');
    const project = await resourceWithAdmin(server, workspaceId, 'PROJECT', 'Handed project', [person.id]);
    const dataset = await resourceWithAdmin(server, workspaceId, 'DATASET', 'Handed dataset', [person.id]);
    await server.db.query(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) VALUES ($1, $2, $3, 'ANNOTATOR')`, [project, heir.id, workspaceId]);

    const res = await remove(admin.token, { workspaceId, userId: person.id, replacementUserId: heir.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.removeUser.reassigned).toEqual([
      { __typename: 'Dataset', id: dataset, type: 'DATASET', name: 'Handed dataset' },
      { __typename: 'Project', id: project, type: 'PROJECT', name: 'Handed project' },
    ]);
    expect(await role(project, heir.id)).toBe('ADMIN');
    expect(await role(dataset, heir.id)).toBe('ADMIN');
    expect(await role(project, person.id)).toBeNull();
    const entries = await server.db.query(
      `SELECT target_type, target_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'removeUser' AND target_type <> 'WorkspaceUser' ORDER BY target_type`,
      [workspaceId],
    );
    expect(entries).toEqual([
      { target_type: 'Dataset', target_id: dataset, details: { userId: heir.id, from: null, to: 'ADMIN', replacing: person.id } },
      { target_type: 'Project', target_id: project, details: { userId: heir.id, from: 'ANNOTATOR', to: 'ADMIN', replacing: person.id } },
    ]);
  });

  it('lets a WORKFORCE_MANAGER remove a TASKER who is a sole ADMIN of a dataset they cannot see, handing it to a workspace ADMIN only', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const manager = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const colleague = await addMember(server, workspaceId, 'MEMBER');
    const tasker = await addMember(server, workspaceId, 'TASKER');
    const dataset = await resourceWithAdmin(server, workspaceId, 'DATASET', 'Tasker data', [tasker.id]);
    // The refusal names nothing the WORKFORCE_MANAGER may not see.
    const required = await remove(manager.token, { workspaceId, userId: tasker.id });
    expect(errorCode(required)).toBe('REPLACEMENT_REQUIRED');
    expect(required.errors![0].extensions).toMatchObject({ resources: [], hiddenCount: 1 });
    expect(JSON.stringify(required.errors)).not.toContain(dataset);
    // Handing it over is giving ADMIN there: not to themselves, nor to anyone but a workspace ADMIN.
    for (const heir of [manager, colleague]) {
      expect(errorCode(await remove(manager.token, { workspaceId, userId: tasker.id, replacementUserId: heir.id }))).toBe('FORBIDDEN');
      expect(await role(dataset, heir.id)).toBeNull();
    }
    const res = await remove(manager.token, { workspaceId, userId: tasker.id, replacementUserId: admin.id });
    expect(res.errors).toBeUndefined();
    expect(res.data.removeUser.reassigned).toEqual([]); // the WORKFORCE_MANAGER still may not see it
    expect(await role(dataset, admin.id)).toBe('ADMIN');
  });

  it('ignores a replacement that nothing needs', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const res = await remove(admin.token, { workspaceId, userId: person.id, replacementUserId: admin.id });
    expect(res.data.removeUser).toEqual({ removedUserId: person.id, reassigned: [] });
  });

  it.each([
    ['the person removed', 'self', 'BAD_USER_INPUT'],
    ['an INVITED person (the replacement must have joined)', 'invited', 'BAD_USER_INPUT'],
    ['a DECLINED person', 'declined', 'BAD_USER_INPUT'],
    ['a removed person', 'removed', 'BAD_USER_INPUT'],
    ['a person of another workspace', 'foreign', 'NOT_FOUND'],
    ['an unknown id', 'unknown', 'NOT_FOUND'],
    ['a malformed id', 'malformed', 'NOT_FOUND'],
  ])('refuses %s as replacement (%s), and changes nothing', async (_name, which, code) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const project = await resourceWithAdmin(server, workspaceId, 'PROJECT', 'P', [person.id]);
    const declined = await addMember(server, workspaceId, 'MEMBER', 'DECLINED');
    const invited = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
    const removed = await addMember(server, workspaceId, 'MEMBER');
    await server.db.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, removed.id]);
    const foreign = await signIn(server, `foreign-${randomUUID().slice(0, 6)}@example.test`);
    const ids: Record<string, string> = {
      self: person.id,
      declined: declined.id,
      invited: invited.id,
      removed: removed.id,
      foreign: foreign.id,
      unknown: randomUUID(),
      malformed: 'x',
    };
    const res = await remove(admin.token, { workspaceId, userId: person.id, replacementUserId: ids[which] });
    expect(errorCode(res)).toBe(code);
    if (code === 'BAD_USER_INPUT') expect(res.errors![0].extensions!.field).toBe('input.replacementUserId');
    expect(await role(project, person.id)).toBe('ADMIN');
    expect((await membershipOf(server, workspaceId, person.id))!.removed_at).toBeNull();
  });

  it('answers NOT_FOUND for a person removed already, an unknown id and a malformed one', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    expect((await remove(admin.token, { workspaceId, userId: person.id })).errors).toBeUndefined();
    for (const userId of [person.id, randomUUID(), 'nope']) {
      expect(errorCode(await remove(admin.token, { workspaceId, userId }))).toBe('NOT_FOUND');
    }
  });

  it('refuses an ADMIN removing themselves (ADMINs are never removed through the API)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await addMember(server, workspaceId, 'ADMIN');
    const res = await remove(admin.token, { workspaceId, userId: admin.id });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect((await membershipOf(server, workspaceId, admin.id))!.removed_at).toBeNull();
  });

  it('leaves jobs and audit entries naming the removed person', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const jobId = randomUUID();
    await server.db.query(
      `INSERT INTO jobs (id, workspace_id, type, status, user_id, created_at, updated_at) VALUES ($1, $2, 'DATA_IMPORT', 'SUCCESS', $3, now(), now())`,
      [jobId, workspaceId, person.id],
    );
    await createKey(person.token, workspaceId); // an audit entry by them
    expect((await remove(admin.token, { workspaceId, userId: person.id })).errors).toBeUndefined();
    const [job] = await server.db.query(`SELECT user_id FROM jobs WHERE id = $1`, [jobId]);
    expect(job.user_id).toBe(person.id);
    const log = await server.gql(
      `query($w: ID!) { workspace(id: $w) { auditLog { nodes { action actor { id email } } } } }`,
      { w: workspaceId },
      admin.token,
    );
    const made = log.data.workspace.auditLog.nodes.find((n: any) => n.action === 'createApiKey');
    expect(made.actor).toEqual({ id: person.id, email: person.email });
    const listed = await server.gql(USERS, { w: workspaceId }, admin.token);
    expect(listed.data.workspace.users.nodes.map((u: any) => u.id)).not.toContain(person.id);
  });
});
