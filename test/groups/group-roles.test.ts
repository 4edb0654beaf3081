import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import {
  assignGroup,
  assignUser,
  counts,
  createGroup,
  createResource,
  ok,
  readResource,
  ROLE_TABLES,
  UNASSIGN_GROUP,
  visibleIds,
  type ResourceRole,
  type ResourceType,
} from '../resources/fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const groupRole = async (resourceId: string, groupId: string): Promise<string | null> => {
  const [row] = await server.db.query(`SELECT role FROM resource_group_roles WHERE resource_id = $1 AND group_id = $2`, [resourceId, groupId]);
  return row?.role ?? null;
};
const unassignGroup = (actor: { token: string }, input: { groupId: string; resourceId: string; resourceType?: ResourceType }) =>
  server.gql(UNASSIGN_GROUP, { input: { resourceType: 'PROJECT', ...input } }, actor.token);

/** A workspace, two projects owned by a MEMBER, a group (made by the ADMIN) with a member and a manager, and an actor. */
async function setting(actorRole: ResourceRole | null, type: ResourceType = 'PROJECT') {
  const { workspaceId, admin } = await createWorkspace(server);
  const owner = await addMember(server, workspaceId, 'MEMBER');
  const ids = [await createResource(server, owner, workspaceId, type), await createResource(server, owner, workspaceId, type)];
  const member = await addMember(server, workspaceId, 'TASKER');
  const manager = await addMember(server, workspaceId, 'MEMBER');
  const groupId = await createGroup(server, admin, workspaceId, { memberIds: [member.id], managerIds: [manager.id] });
  const actor = await addMember(server, workspaceId, 'MEMBER');
  if (actorRole) ok(await assignUser(server, owner, { workspaceId, userId: actor.id, resourceType: type, resourceIds: ids, role: actorRole }));
  return { workspaceId, admin, owner, ids, member, manager, groupId, actor };
}

describe('assignGroup / unassignGroup (workspace ADMIN; an ADMIN of every resource named)', () => {
  it.each(['PROJECT', 'DATASET', 'ONTOLOGY'] as const)('lets a workspace ADMIN with no role give a group a role on %ss, audited', async (type) => {
    const s = await setting(null, type);
    const role = type === 'PROJECT' ? 'REVIEWER' : 'USER';
    const res = await assignGroup(server, s.admin, { groupId: s.groupId, resourceType: type, resourceIds: s.ids, role });
    expect(ok(res).assignGroup).toEqual(s.ids.map((id) => ({ resource: { id, type }, role })));
    expect(await Promise.all(s.ids.map((id) => groupRole(id, s.groupId)))).toEqual([role, role]);
    const entries = await server.db.query(`SELECT target_id, details FROM audit_log WHERE action = 'assignGroup' AND workspace_id = $1 ORDER BY id`, [s.workspaceId]);
    expect(entries.map((e: any) => e.details)).toEqual(s.ids.map(() => ({ groupId: s.groupId, from: null, to: role })));
    expect(ok(await unassignGroup(s.admin, { groupId: s.groupId, resourceType: type, resourceId: s.ids[0] })).unassignGroup).toBe(true);
    expect(await groupRole(s.ids[0], s.groupId)).toBeNull();
  });

  it('lets an ADMIN of every resource named (a MEMBER) give and take a group role on a group they see; a group they may not see is NOT_FOUND', async () => {
    const s = await setting('ADMIN');
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await assignGroup(server, s.actor, { groupId: s.groupId, resourceIds: s.ids, role: 'TEAM_MANAGER' }))).toBe('NOT_FOUND');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
    await server.db.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [s.groupId, s.actor.id]); // now theirs
    ok(await assignGroup(server, s.actor, { groupId: s.groupId, resourceIds: s.ids, role: 'TEAM_MANAGER' }));
    ok(await assignGroup(server, s.actor, { groupId: s.groupId, resourceIds: s.ids, role: 'ANNOTATOR' }));
    expect(await groupRole(s.ids[1], s.groupId)).toBe('ANNOTATOR');
    ok(await unassignGroup(s.actor, { groupId: s.groupId, resourceId: s.ids[1] }));
    expect(await groupRole(s.ids[1], s.groupId)).toBeNull();
  });

  it('refuses an ADMIN of only some of the resources: FORBIDDEN when they see the rest, NOT_FOUND when not; nothing written', async () => {
    const s = await setting('ADMIN');
    const annotated = await createResource(server, s.owner, s.workspaceId);
    ok(await assignUser(server, s.owner, { workspaceId: s.workspaceId, userId: s.actor.id, resourceIds: [annotated], role: 'ANNOTATOR' }));
    const hidden = await createResource(server, s.owner, s.workspaceId);
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await assignGroup(server, s.actor, { groupId: s.groupId, resourceIds: [...s.ids, annotated], role: 'REVIEWER' }))).toBe('FORBIDDEN');
    expect(errorCode(await assignGroup(server, s.actor, { groupId: s.groupId, resourceIds: [...s.ids, hidden], role: 'REVIEWER' }))).toBe('NOT_FOUND');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it.each(['TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'] as const)('refuses a project %s with FORBIDDEN', async (role) => {
    const s = await setting(role);
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceIds: [s.ids[0]], role: 'ANNOTATOR' }));
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await assignGroup(server, s.actor, { groupId: s.groupId, resourceIds: [s.ids[0]], role: 'ANNOTATOR' }))).toBe('FORBIDDEN');
    expect(errorCode(await unassignGroup(s.actor, { groupId: s.groupId, resourceId: s.ids[0] }))).toBe('FORBIDDEN');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it.each(['DATASET', 'ONTOLOGY'] as const)('refuses a %s USER with FORBIDDEN', async (type) => {
    const s = await setting('USER', type);
    expect(errorCode(await assignGroup(server, s.actor, { groupId: s.groupId, resourceType: type, resourceIds: s.ids, role: 'USER' }))).toBe('FORBIDDEN');
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('answers NOT_FOUND to a %s with no role, even a manager of the group', async (wsRole) => {
    const s = await setting(null);
    const person = await addMember(server, s.workspaceId, wsRole);
    if (wsRole !== 'TASKER') await server.db.query(`INSERT INTO group_managers (group_id, user_id) VALUES ($1, $2)`, [s.groupId, person.id]);
    expect(errorCode(await assignGroup(server, person, { groupId: s.groupId, resourceIds: s.ids, role: 'ANNOTATOR' }))).toBe('NOT_FOUND');
  });

  it('refuses a role the resource type does not take with BAD_USER_INPUT (a dataset given a project role)', async () => {
    const s = await setting(null, 'DATASET');
    const before = await counts(server, ROLE_TABLES);
    const res = await assignGroup(server, s.admin, { groupId: s.groupId, resourceType: 'DATASET', resourceIds: s.ids, role: 'ANNOTATOR' });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.role');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it('answers NOT_FOUND for a group of another workspace, an unknown group, and a malformed id', async () => {
    const s = await setting(null);
    const other = await createWorkspace(server);
    const foreign = await createGroup(server, other.admin, other.workspaceId);
    for (const groupId of [foreign, randomUUID(), 'nope']) {
      expect(errorCode(await assignGroup(server, s.admin, { groupId, resourceIds: s.ids, role: 'ANNOTATOR' }))).toBe('NOT_FOUND');
      expect(errorCode(await unassignGroup(s.admin, { groupId, resourceId: s.ids[0] }))).toBe('NOT_FOUND');
    }
  });

  it('answers false to unassigning a group that holds no role there', async () => {
    const s = await setting(null);
    expect(ok(await unassignGroup(s.admin, { groupId: s.groupId, resourceId: s.ids[0] })).unassignGroup).toBe(false);
  });
});

describe('what a group role gives', () => {
  it("gives the group's members (not its managers) the role; the effective role is the highest", async () => {
    const s = await setting(null);
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceIds: [s.ids[0]], role: 'REVIEWER' }));
    expect(await visibleIds(server, s.member, s.workspaceId)).toEqual([s.ids[0]]);
    expect(await visibleIds(server, s.manager, s.workspaceId)).toEqual([]);
    expect(ok(await readResource(server, s.manager, s.workspaceId, s.ids[0], 'name')).workspace.project).toBeNull();

    const role = async () => ok(await readResource(server, s.member, s.workspaceId, s.ids[0], 'viewerRole')).workspace.project.viewerRole;
    expect(await role()).toBe('REVIEWER');
    ok(await assignUser(server, s.admin, { workspaceId: s.workspaceId, userId: s.member.id, resourceIds: [s.ids[0]], role: 'ANNOTATOR_REVIEWER' }));
    expect(await role()).toBe('ANNOTATOR_REVIEWER');
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceIds: [s.ids[0]], role: 'TEAM_MANAGER' }));
    expect(await role()).toBe('TEAM_MANAGER');
  });

  it('lets a group ADMIN role manage the resource (assign users), though it does not count as a direct ADMIN', async () => {
    const s = await setting(null);
    const lead = await addMember(server, s.workspaceId, 'MEMBER');
    ok(await server.gql(`mutation($input: GroupUsersInput!) { addGroupMembers(input: $input) { id } }`, { input: { groupId: s.groupId, userIds: [lead.id] } }, s.admin.token));
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceIds: [s.ids[0]], role: 'ADMIN' }));
    const newcomer = await addMember(server, s.workspaceId, 'MEMBER');
    ok(await assignUser(server, lead, { workspaceId: s.workspaceId, userId: newcomer.id, resourceIds: [s.ids[0]], role: 'ADMIN' }));
    // The owner may now leave (the newcomer is a direct ADMIN), but the newcomer may not.
    ok(await server.gql(`mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`, { input: { workspaceId: s.workspaceId, userId: s.owner.id, resourceType: 'PROJECT', resourceId: s.ids[0] } }, lead.token));
    const last = await server.gql(`mutation($input: UnassignUserInput!) { unassignUser(input: $input) }`, { input: { workspaceId: s.workspaceId, userId: newcomer.id, resourceType: 'PROJECT', resourceId: s.ids[0] } }, lead.token);
    expect(errorCode(last)).toBe('INVARIANT');
  });

  it("Group.assignments lists the group's roles on resources the viewer may see with their members", async () => {
    const s = await setting(null);
    const dataset = await createResource(server, s.owner, s.workspaceId, 'DATASET');
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceIds: [s.ids[0]], role: 'ANNOTATOR' }));
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceType: 'DATASET', resourceIds: [dataset], role: 'USER' }));
    const Q = `query($ws: ID!, $id: ID!) { workspace(id: $ws) { group(id: $id) { assignments { resource { __typename id name } role } } } }`;
    const byAdmin = ok(await server.gql(Q, { ws: s.workspaceId, id: s.groupId }, s.admin.token)).workspace.group.assignments;
    expect(byAdmin.map((a: any) => [a.resource.__typename, a.resource.id, a.role])).toEqual([
      ['Dataset', dataset, 'USER'],
      ['Project', s.ids[0], 'ANNOTATOR'],
    ]);
    // A member sees what the group gives them; a manager (no role on the resources) sees none of it.
    expect(ok(await server.gql(Q, { ws: s.workspaceId, id: s.groupId }, s.member.token)).workspace.group.assignments).toHaveLength(2);
    expect(ok(await server.gql(Q, { ws: s.workspaceId, id: s.groupId }, s.manager.token)).workspace.group.assignments).toEqual([]);
  });
});
