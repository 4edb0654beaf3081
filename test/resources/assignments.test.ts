import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import {
  assignGroup,
  assignUser,
  counts,
  createGroup,
  createResource,
  ok,
  ROLE_TABLES,
  unassignUser,
  type ResourceRole,
  type ResourceType,
} from './fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const directRole = async (resourceId: string, userId: string): Promise<string | null> => {
  const [row] = await server.db.query(`SELECT role FROM resource_user_roles WHERE resource_id = $1 AND user_id = $2`, [resourceId, userId]);
  return row?.role ?? null;
};

/** A workspace, a project owned (direct ADMIN) by a MEMBER, and an actor holding `role` on it. */
async function projectWith(role: ResourceRole | null, wsRole: 'MEMBER' | 'WORKFORCE_MANAGER' | 'TASKER' = 'MEMBER', type: ResourceType = 'PROJECT') {
  const { workspaceId, admin } = await createWorkspace(server);
  const owner = await addMember(server, workspaceId, 'MEMBER');
  const id = await createResource(server, owner, workspaceId, type);
  const actor = await addMember(server, workspaceId, wsRole);
  if (role) ok(await assignUser(server, owner, { workspaceId, userId: actor.id, resourceType: type, resourceIds: [id], role }));
  const subject = await addMember(server, workspaceId, 'MEMBER');
  return { workspaceId, admin, owner, id, actor, subject };
}

describe('assignUser / unassignUser on a project', () => {
  it.each(['ADMIN', 'TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'] as const)(
    'lets a workspace ADMIN with no role of their own give and take %s',
    async (role) => {
      const { workspaceId, admin, id, subject } = await projectWith(null);
      const res = await assignUser(server, admin, { workspaceId, userId: subject.id, resourceIds: [id], role });
      expect(ok(res).assignUser).toEqual([{ resource: { id, type: 'PROJECT', name: expect.any(String) }, role, via: null }]);
      expect(await directRole(id, subject.id)).toBe(role);
      expect(ok(await unassignUser(server, admin, { workspaceId, userId: subject.id, resourceId: id })).unassignUser).toBe(true);
      expect(await directRole(id, subject.id)).toBeNull();
    },
  );

  it.each(['ADMIN', 'TEAM_MANAGER', 'ANNOTATOR'] as const)('lets the project ADMIN give and take %s', async (role) => {
    const { workspaceId, id, actor, subject } = await projectWith('ADMIN');
    ok(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role }));
    expect(await directRole(id, subject.id)).toBe(role);
    ok(await unassignUser(server, actor, { workspaceId, userId: subject.id, resourceId: id }));
    expect(await directRole(id, subject.id)).toBeNull();
  });

  it('lets a TASKER who is the project ADMIN change their own role, but finds no one else (a TASKER sees no other person): NOT_FOUND', async () => {
    const { workspaceId, id, actor, subject } = await projectWith('ADMIN', 'TASKER'); // the project's owner stays its ADMIN
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role: 'REVIEWER' }))).toBe('NOT_FOUND');
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: randomUUID(), resourceIds: [id], role: 'REVIEWER' }))).toBe('NOT_FOUND');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
    ok(await assignUser(server, actor, { workspaceId, userId: actor.id, resourceIds: [id], role: 'REVIEWER' }));
    expect(await directRole(id, actor.id)).toBe('REVIEWER');
  });

  it.each(['TEAM_MANAGER', 'REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'] as const)(
    'lets a project TEAM_MANAGER give, change and take %s',
    async (role) => {
      const { workspaceId, id, actor, subject } = await projectWith('TEAM_MANAGER');
      ok(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role }));
      ok(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role: 'REVIEWER' }));
      expect(await directRole(id, subject.id)).toBe('REVIEWER');
      ok(await unassignUser(server, actor, { workspaceId, userId: subject.id, resourceId: id }));
      expect(await directRole(id, subject.id)).toBeNull();
    },
  );

  it('refuses a project TEAM_MANAGER giving ADMIN with FORBIDDEN, and writes nothing', async () => {
    const { workspaceId, id, actor, subject } = await projectWith('TEAM_MANAGER');
    const before = await counts(server, ROLE_TABLES);
    const res = await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ADMIN' });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
    // nor to themselves
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: actor.id, resourceIds: [id], role: 'ADMIN' }))).toBe('FORBIDDEN');
    expect(await directRole(id, actor.id)).toBe('TEAM_MANAGER');
  });

  it("refuses a project TEAM_MANAGER changing or taking away an ADMIN's role", async () => {
    const { workspaceId, owner, id, actor, subject } = await projectWith('TEAM_MANAGER');
    ok(await assignUser(server, owner, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ADMIN' }));
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role: 'REVIEWER' }))).toBe('FORBIDDEN');
    expect(errorCode(await unassignUser(server, actor, { workspaceId, userId: subject.id, resourceId: id }))).toBe('FORBIDDEN');
    expect(await directRole(id, subject.id)).toBe('ADMIN');
  });

  it('treats a TEAM_MANAGER role held through a group like a direct one', async () => {
    const { workspaceId, admin, id, subject } = await projectWith(null);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const group = await createGroup(server, admin, workspaceId, { memberIds: [person.id] });
    ok(await assignGroup(server, admin, { groupId: group, resourceIds: [id], role: 'TEAM_MANAGER' }));
    ok(await assignUser(server, person, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ANNOTATOR' }));
    expect(errorCode(await assignUser(server, person, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ADMIN' }))).toBe('FORBIDDEN');
  });

  it.each(['REVIEWER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'] as const)('refuses a project %s with FORBIDDEN', async (role) => {
    const { workspaceId, id, actor, subject } = await projectWith(role);
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ANNOTATOR' }))).toBe('FORBIDDEN');
    expect(errorCode(await unassignUser(server, actor, { workspaceId, userId: actor.id, resourceId: id }))).toBe('FORBIDDEN');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('answers NOT_FOUND to a %s with no role on the project', async (wsRole) => {
    const { workspaceId, id, actor, subject } = await projectWith(null, wsRole);
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ANNOTATOR' }))).toBe('NOT_FOUND');
    expect(errorCode(await unassignUser(server, actor, { workspaceId, userId: subject.id, resourceId: id }))).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND to a project ADMIN who is only INVITED to the workspace', async () => {
    const { workspaceId, owner, id, subject } = await projectWith(null);
    await server.db.query(`UPDATE memberships SET status = 'INVITED' WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, owner.id]);
    expect(errorCode(await assignUser(server, owner, { workspaceId, userId: subject.id, resourceIds: [id], role: 'ANNOTATOR' }))).toBe('NOT_FOUND');
  });
});

describe('assignUser / unassignUser on a dataset or ontology', () => {
  it.each(['DATASET', 'ONTOLOGY'] as const)('lets the workspace ADMIN and the %s ADMIN give ADMIN and USER', async (type) => {
    const { workspaceId, admin, id, actor, subject } = await projectWith('ADMIN', 'MEMBER', type);
    ok(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceType: type, resourceIds: [id], role: 'USER' }));
    expect(await directRole(id, subject.id)).toBe('USER');
    ok(await assignUser(server, admin, { workspaceId, userId: subject.id, resourceType: type, resourceIds: [id], role: 'ADMIN' }));
    expect(await directRole(id, subject.id)).toBe('ADMIN');
    ok(await unassignUser(server, actor, { workspaceId, userId: subject.id, resourceType: type, resourceId: id }));
    expect(await directRole(id, subject.id)).toBeNull();
  });

  it.each(['DATASET', 'ONTOLOGY'] as const)('refuses a %s USER with FORBIDDEN', async (type) => {
    const { workspaceId, id, actor, subject } = await projectWith('USER', 'MEMBER', type);
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceType: type, resourceIds: [id], role: 'USER' }))).toBe('FORBIDDEN');
    expect(errorCode(await unassignUser(server, actor, { workspaceId, userId: actor.id, resourceType: type, resourceId: id }))).toBe('FORBIDDEN');
  });

  it.each(['DATASET', 'ONTOLOGY'] as const)('answers NOT_FOUND on a %s to someone with no role on it', async (type) => {
    const { workspaceId, id, actor, subject } = await projectWith(null, 'WORKFORCE_MANAGER', type);
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceType: type, resourceIds: [id], role: 'USER' }))).toBe('NOT_FOUND');
  });

  it.each([
    ['DATASET', 'TEAM_MANAGER'],
    ['DATASET', 'ANNOTATOR'],
    ['ONTOLOGY', 'REVIEWER'],
    ['PROJECT', 'USER'],
  ] as const)('refuses a %s given the role %s with BAD_USER_INPUT, writing nothing', async (type, role) => {
    const { workspaceId, admin, id, subject } = await projectWith(null, 'MEMBER', type);
    const before = await counts(server, ROLE_TABLES);
    const res = await assignUser(server, admin, { workspaceId, userId: subject.id, resourceType: type, resourceIds: [id], role });
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.role');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });
});

describe('assignUser in bulk', () => {
  it('gives one role on many resources in one call, and assigning again changes the role', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const ids = [await createResource(server, admin, workspaceId), await createResource(server, admin, workspaceId), await createResource(server, admin, workspaceId)];
    const res = await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [...ids, ids[0]], role: 'ANNOTATOR' });
    expect(ok(res).assignUser.map((a: any) => [a.resource.id, a.role])).toEqual(ids.map((id) => [id, 'ANNOTATOR']));
    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: ids.slice(0, 2), role: 'REVIEWER' }));
    expect(await Promise.all(ids.map((id) => directRole(id, person.id)))).toEqual(['REVIEWER', 'REVIEWER', 'ANNOTATOR']);
    const audit = await server.db.query(`SELECT target_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'assignUser' ORDER BY id`, [workspaceId]);
    expect(audit).toHaveLength(5);
    expect(audit[3].details).toEqual({ userId: person.id, from: 'ANNOTATOR', to: 'REVIEWER' });
  });

  it('is all or nothing: one resource the actor may not manage refuses the whole call', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const actor = await addMember(server, workspaceId, 'MEMBER');
    const subject = await addMember(server, workspaceId, 'MEMBER');
    const mine = [await createResource(server, actor, workspaceId), await createResource(server, actor, workspaceId)];
    const annotated = await createResource(server, admin, workspaceId);
    ok(await assignUser(server, admin, { workspaceId, userId: actor.id, resourceIds: [annotated], role: 'ANNOTATOR' }));
    const hidden = await createResource(server, admin, workspaceId);
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [...mine, annotated], role: 'REVIEWER' }))).toBe('FORBIDDEN');
    expect(errorCode(await assignUser(server, actor, { workspaceId, userId: subject.id, resourceIds: [...mine, hidden], role: 'REVIEWER' }))).toBe('NOT_FOUND');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it('is all or nothing on INVARIANT too: a demotion of the last ADMIN among several undoes the rest', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await addMember(server, workspaceId, 'MEMBER');
    const shared = await createResource(server, owner, workspaceId);
    const alone = await createResource(server, owner, workspaceId);
    ok(await assignUser(server, admin, { workspaceId, userId: admin.id, resourceIds: [shared], role: 'ADMIN' }));
    const before = await counts(server, ROLE_TABLES);
    const res = await assignUser(server, admin, { workspaceId, userId: owner.id, resourceIds: [shared, alone], role: 'TEAM_MANAGER' });
    expect(errorCode(res)).toBe('INVARIANT');
    expect(res.errors![0].extensions!.resources).toEqual([{ id: alone, type: 'PROJECT', name: expect.any(String) }]);
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
    expect(await directRole(shared, owner.id)).toBe('ADMIN');
  });

  it('takes up to 100 resources; 101 or none is BAD_USER_INPUT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const ids = Array.from({ length: 101 }, () => randomUUID());
    await server.db.query(
      `INSERT INTO resources (id, workspace_id, type, name) SELECT id, $2, 'DATASET', 'd' FROM unnest($1::uuid[]) AS id`,
      [ids, workspaceId],
    );
    const tooMany = await assignUser(server, admin, { workspaceId, userId: person.id, resourceType: 'DATASET', resourceIds: ids, role: 'USER' });
    expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
    expect(errorCode(await assignUser(server, admin, { workspaceId, userId: person.id, resourceType: 'DATASET', resourceIds: [], role: 'USER' }))).toBe('BAD_USER_INPUT');
    const hundred = await assignUser(server, admin, { workspaceId, userId: person.id, resourceType: 'DATASET', resourceIds: ids.slice(0, 100), role: 'USER' });
    expect(ok(hundred).assignUser).toHaveLength(100);
  });

  it('answers NOT_FOUND for resources of another type, of another workspace, or a workspace that is not theirs', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const project = await createResource(server, admin, workspaceId);
    const dataset = await createResource(server, admin, workspaceId, 'DATASET');
    const foreign = await createResource(server, other.admin, other.workspaceId);
    for (const input of [
      { workspaceId, userId: person.id, resourceIds: [project, dataset], role: 'ANNOTATOR' as const },
      { workspaceId, userId: person.id, resourceIds: [project, foreign], role: 'ANNOTATOR' as const },
      { workspaceId, userId: person.id, resourceIds: ['not-a-uuid'], role: 'ANNOTATOR' as const },
      { workspaceId: other.workspaceId, userId: person.id, resourceIds: [project], role: 'ANNOTATOR' as const },
    ]) {
      expect(errorCode(await assignUser(server, admin, input))).toBe('NOT_FOUND');
    }
  });
});

describe('who may be assigned', () => {
  it.each(['INVITED', 'JOINED'] as const)('an %s member of the workspace', async (status) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'TASKER', status);
    const project = await createResource(server, admin, workspaceId);
    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [project], role: 'ANNOTATOR' }));
    expect(await directRole(project, person.id)).toBe('ANNOTATOR');
  });

  it('not a DECLINED or removed member until invited again: BAD_USER_INPUT, nothing written', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const project = await createResource(server, admin, workspaceId);
    const declined = await addMember(server, workspaceId, 'MEMBER', 'DECLINED');
    const removed = await addMember(server, workspaceId, 'MEMBER');
    await server.db.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, removed.id]);
    const before = await counts(server, ROLE_TABLES);
    for (const userId of [declined.id, removed.id]) {
      const res = await assignUser(server, admin, { workspaceId, userId, resourceIds: [project], role: 'ADMIN' });
      expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.userId' });
      // They hold nothing to take away.
      expect(ok(await unassignUser(server, admin, { workspaceId, userId, resourceId: project })).unassignUser).toBe(false);
    }
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it('not a stranger or a malformed id: NOT_FOUND, nothing written', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const project = await createResource(server, admin, workspaceId);
    const stranger = await signIn(server, `s-${randomUUID().slice(0, 6)}@else.test`);
    const before = await counts(server, ROLE_TABLES);
    for (const userId of [stranger.id, 'nope', randomUUID()]) {
      expect(errorCode(await assignUser(server, admin, { workspaceId, userId, resourceIds: [project], role: 'ANNOTATOR' }))).toBe('NOT_FOUND');
      expect(errorCode(await unassignUser(server, admin, { workspaceId, userId, resourceId: project }))).toBe('NOT_FOUND');
    }
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });
});

describe('every resource keeps a direct ADMIN', () => {
  it('refuses unassigning or demoting the last direct ADMIN with INVARIANT; a second ADMIN makes it possible', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await addMember(server, workspaceId, 'MEMBER');
    const project = await createResource(server, owner, workspaceId);
    // An ADMIN role through a group does not count.
    const group = await createGroup(server, admin, workspaceId, { memberIds: [admin.id] });
    ok(await assignGroup(server, admin, { groupId: group, resourceIds: [project], role: 'ADMIN' }));
    const before = await counts(server, ROLE_TABLES);
    expect(errorCode(await unassignUser(server, owner, { workspaceId, userId: owner.id, resourceId: project }))).toBe('INVARIANT');
    expect(errorCode(await assignUser(server, admin, { workspaceId, userId: owner.id, resourceIds: [project], role: 'REVIEWER' }))).toBe('INVARIANT');
    expect(await counts(server, ROLE_TABLES)).toEqual(before);

    const second = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
    ok(await assignUser(server, owner, { workspaceId, userId: second.id, resourceIds: [project], role: 'ADMIN' }));
    expect(ok(await unassignUser(server, owner, { workspaceId, userId: owner.id, resourceId: project })).unassignUser).toBe(true);
    expect(errorCode(await unassignUser(server, admin, { workspaceId, userId: second.id, resourceId: project }))).toBe('INVARIANT');
  });

  it('answers false to unassigning someone with no direct role, and audits nothing', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const project = await createResource(server, admin, workspaceId);
    const before = await counts(server, ROLE_TABLES);
    expect(ok(await unassignUser(server, admin, { workspaceId, userId: person.id, resourceId: project })).unassignUser).toBe(false);
    expect(await counts(server, ROLE_TABLES)).toEqual(before);
  });

  it('audits an unassignment with the role taken', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const dataset = await createResource(server, admin, workspaceId, 'DATASET');
    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceType: 'DATASET', resourceIds: [dataset], role: 'USER' }));
    ok(await unassignUser(server, admin, { workspaceId, userId: person.id, resourceType: 'DATASET', resourceId: dataset }));
    const [entry] = await server.db.query(`SELECT actor_id, target_type, target_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'unassignUser'`, [workspaceId]);
    expect(entry).toEqual({ actor_id: admin.id, target_type: 'Dataset', target_id: dataset, details: { userId: person.id, from: 'USER', to: null } });
  });
});

describe('WorkspaceUser.assignments', () => {
  const Q = `query($ws: ID!, $id: ID!, $type: ResourceType) { workspace(id: $ws) { user(id: $id) { assignments(resourceType: $type) { resource { __typename id } role via { id } } } } }`;

  it('lists direct roles and roles through groups (via), filtered by type', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const project = await createResource(server, admin, workspaceId);
    const dataset = await createResource(server, admin, workspaceId, 'DATASET');
    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [project], role: 'ANNOTATOR' }));
    const group = await createGroup(server, admin, workspaceId, { memberIds: [person.id] });
    ok(await assignGroup(server, admin, { groupId: group, resourceIds: [project], role: 'REVIEWER' }));
    ok(await assignGroup(server, admin, { groupId: group, resourceType: 'DATASET', resourceIds: [dataset], role: 'USER' }));
    const all = ok(await server.gql(Q, { ws: workspaceId, id: person.id }, admin.token)).workspace.user.assignments;
    expect(all).toEqual(
      expect.arrayContaining([
        { resource: { __typename: 'Project', id: project }, role: 'ANNOTATOR', via: null },
        { resource: { __typename: 'Project', id: project }, role: 'REVIEWER', via: { id: group } },
        { resource: { __typename: 'Dataset', id: dataset }, role: 'USER', via: { id: group } },
      ]),
    );
    expect(all).toHaveLength(3);
    const datasets = ok(await server.gql(Q, { ws: workspaceId, id: person.id, type: 'DATASET' }, person.token)).workspace.user.assignments;
    expect(datasets).toEqual([{ resource: { __typename: 'Dataset', id: dataset }, role: 'USER', via: { id: group } }]);
  });

  it("shows another person's assignments only on resources whose members the viewer may see", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const viewer = await addMember(server, workspaceId, 'MEMBER');
    const [p1, p2, p3] = [await createResource(server, admin, workspaceId), await createResource(server, admin, workspaceId), await createResource(server, viewer, workspaceId)];
    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [p1, p2, p3], role: 'ANNOTATOR' }));
    ok(await assignUser(server, admin, { workspaceId, userId: viewer.id, resourceIds: [p1], role: 'ANNOTATOR' })); // sees p1, not its members
    const seen = ok(await server.gql(Q, { ws: workspaceId, id: person.id }, viewer.token)).workspace.user.assignments;
    expect(seen.map((a: any) => a.resource.id)).toEqual([p3]);
    const own = ok(await server.gql(Q, { ws: workspaceId, id: person.id }, person.token)).workspace.user.assignments;
    expect(own).toHaveLength(3);
  });
});
