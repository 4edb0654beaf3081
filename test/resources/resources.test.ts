import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn, type Person } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import {
  assignGroup,
  assignUser,
  counts,
  createGroup,
  createResource,
  LIST_FIELD,
  ok,
  readResource,
  TYPE_NAME,
  visibleIds,
  type ResourceType,
} from './fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const TYPES: ResourceType[] = ['PROJECT', 'DATASET', 'ONTOLOGY'];
const create = (type: ResourceType) =>
  `mutation($input: CreateResourceInput!) { create${TYPE_NAME[type]}(input: $input) { id type name description createdAt viewerRole members { user { id } role via { id } } } }`;

describe('createProject, createDataset, createOntology', () => {
  it.each(TYPES.flatMap((type) => (['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER'] as const).map((role) => [type, role] as const)))(
    'a %s made by a %s has its creator as direct ADMIN, audited',
    async (type, role) => {
      const { workspaceId } = await createWorkspace(server);
      const person = await addMember(server, workspaceId, role);
      const res = await server.gql(create(type), { input: { workspaceId, name: '  Cats  ', description: ' pictures ' } }, person.token);
      const made = ok(res)[`create${TYPE_NAME[type]}`];
      expect(made).toMatchObject({ type, name: 'Cats', description: 'pictures', viewerRole: 'ADMIN' });
      expect(made.members).toEqual([{ user: { id: person.id }, role: 'ADMIN', via: null }]);
      const [entry] = await server.db.query(`SELECT action, actor_id, target_type, target_id FROM audit_log WHERE workspace_id = $1 AND target_id = $2`, [workspaceId, made.id]);
      expect(entry).toEqual({ action: `create${TYPE_NAME[type]}`, actor_id: person.id, target_type: TYPE_NAME[type], target_id: made.id });
      expect(await visibleIds(server, person, workspaceId, type)).toEqual([made.id]);
    },
  );

  it.each(TYPES)('refuses a TASKER a %s with FORBIDDEN and writes nothing', async (type) => {
    const { workspaceId } = await createWorkspace(server);
    const tasker = await addMember(server, workspaceId, 'TASKER');
    const before = await counts(server, ['resources', 'resource_user_roles', 'audit_log']);
    const res = await server.gql(create(type), { input: { workspaceId, name: 'Nope' } }, tasker.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await counts(server, ['resources', 'resource_user_roles', 'audit_log'])).toEqual(before);
  });

  it('answers NOT_FOUND to an INVITED person and to a stranger', async () => {
    const { workspaceId } = await createWorkspace(server);
    const invited = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
    const stranger = await signIn(server, `stranger-${randomUUID().slice(0, 6)}@else.test`);
    for (const person of [invited, stranger]) {
      expect(errorCode(await server.gql(create('PROJECT'), { input: { workspaceId, name: 'x' } }, person.token))).toBe('NOT_FOUND');
    }
  });

  it.each([
    ['an empty name', { name: ' ' }, 'input.name'],
    ['a name of 201 characters', { name: 'x'.repeat(201) }, 'input.name'],
    ['a description of 2001 characters', { name: 'ok', description: 'd'.repeat(2001) }, 'input.description'],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_what, input, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await counts(server, ['resources', 'resource_user_roles', 'audit_log']);
    const res = await server.gql(create('DATASET'), { input: { workspaceId, ...input } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
    expect(await counts(server, ['resources', 'resource_user_roles', 'audit_log'])).toEqual(before);
  });
});

describe('workspace.projects, datasets, ontologies', () => {
  async function setting() {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await addMember(server, workspaceId, 'MEMBER');
    const ids = {
      PROJECT: [await createResource(server, owner, workspaceId, 'PROJECT'), await createResource(server, owner, workspaceId, 'PROJECT')],
      DATASET: [await createResource(server, owner, workspaceId, 'DATASET'), await createResource(server, owner, workspaceId, 'DATASET')],
      ONTOLOGY: [await createResource(server, owner, workspaceId, 'ONTOLOGY'), await createResource(server, owner, workspaceId, 'ONTOLOGY')],
    };
    return { workspaceId, admin, owner, ids };
  }

  it.each(TYPES)('shows a workspace ADMIN every %s, with viewerRole null where they hold no role', async (type) => {
    const { workspaceId, admin, ids } = await setting();
    expect(await visibleIds(server, admin, workspaceId, type)).toEqual([...ids[type]].sort());
    const res = await readResource(server, admin, workspaceId, ids[type][0], 'viewerRole', type);
    expect(ok(res).workspace[type.toLowerCase()]).toEqual({ id: ids[type][0], viewerRole: null });
  });

  it.each((['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const).flatMap((role) => TYPES.map((type) => [role, type] as const)))(
    'shows a %s only the %s resources they hold a role on, directly or as a group member (not as a manager)',
    async (role, type) => {
      const { workspaceId, admin, owner, ids } = await setting();
      const person = await addMember(server, workspaceId, role, 'JOINED', `${role.toLowerCase()}-${randomUUID().slice(0, 6)}@acme.test`);
      expect(await visibleIds(server, person, workspaceId, type)).toEqual([]);
      expect(ok(await readResource(server, person, workspaceId, ids[type][0], 'name', type)).workspace[type.toLowerCase()]).toBeNull();

      // A group this person only manages holds a role: still nothing (a TASKER manages no group).
      if (role !== 'TASKER') {
        const managed = await createGroup(server, admin, workspaceId, { managerIds: [person.id] });
        ok(await assignGroup(server, admin, { groupId: managed, resourceType: type, resourceIds: [ids[type][0]], role: 'ADMIN' }));
        expect(await visibleIds(server, person, workspaceId, type)).toEqual([]);
      }

      // As a member of a group with a role: that resource.
      const group = await createGroup(server, admin, workspaceId, { memberIds: [person.id] });
      const role0 = type === 'PROJECT' ? 'ANNOTATOR' : 'USER';
      ok(await assignGroup(server, admin, { groupId: group, resourceType: type, resourceIds: [ids[type][0]], role: role0 }));
      expect(await visibleIds(server, person, workspaceId, type)).toEqual([ids[type][0]]);

      // Directly: the other one too.
      ok(await assignUser(server, owner, { workspaceId, userId: person.id, resourceType: type, resourceIds: [ids[type][1]], role: role0 }));
      expect(await visibleIds(server, person, workspaceId, type)).toEqual([...ids[type]].sort());
      const one = await readResource(server, person, workspaceId, ids[type][1], 'viewerRole', type);
      expect(ok(one).workspace[type.toLowerCase()]).toEqual({ id: ids[type][1], viewerRole: role0 });
    },
  );

  it('pages newest first with a stable cursor, and counts the total', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push(await createResource(server, admin, workspaceId, 'PROJECT', `P${i}`));
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const res = await server.gql(
        `query($ws: ID!, $after: String) { workspace(id: $ws) { projects(first: 2, after: $after) { nodes { id name } totalCount pageInfo { hasNextPage endCursor } } } }`,
        { ws: workspaceId, after },
        admin.token,
      );
      const page: any = ok(res).workspace.projects;
      expect(page.totalCount).toBe(5);
      seen.push(...page.nodes.map((n: { id: string }) => n.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...made].reverse());
  });

  it.each([
    ['a cursor that is not ours', { after: 'garbage' }, 'after'],
    ['first above 100', { first: 101 }, 'first'],
    ['a negative first', { first: -1 }, 'first'],
  ])('refuses %s with BAD_USER_INPUT', async (_what, args, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(`query($ws: ID!, $first: Int, $after: String) { workspace(id: $ws) { datasets(first: $first, after: $after) { totalCount } } }`, { ws: workspaceId, ...args }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
  });

  it('filters projects by name, case-insensitively, with wildcards taken literally', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const a = await createResource(server, admin, workspaceId, 'PROJECT', 'Street Cats');
    await createResource(server, admin, workspaceId, 'PROJECT', 'Dogs');
    const b = await createResource(server, admin, workspaceId, 'PROJECT', '100% cats');
    const search = async (text: string) =>
      ok(await server.gql(`query($ws: ID!, $s: String) { workspace(id: $ws) { projects(filter: { search: $s }) { nodes { id } totalCount } } }`, { ws: workspaceId, s: text }, admin.token))
        .workspace.projects;
    expect((await search('CAT')).nodes.map((n: any) => n.id).sort()).toEqual([a, b].sort());
    expect((await search('0%')).nodes.map((n: any) => n.id)).toEqual([b]);
    expect((await search('_')).totalCount).toBe(0);
  });

  describe('the tagIds filter', () => {
    async function tagged() {
      const { workspaceId, admin } = await createWorkspace(server);
      const [p1, p2, p3] = [
        await createResource(server, admin, workspaceId),
        await createResource(server, admin, workspaceId),
        await createResource(server, admin, workspaceId),
      ];
      const [red, blue] = [randomUUID(), randomUUID()];
      await server.db.query(`INSERT INTO project_tags (id, workspace_id, name, name_key) VALUES ($1, $3, 'red', 'red'), ($2, $3, 'blue', 'blue')`, [red, blue, workspaceId]);
      await server.db.query(`INSERT INTO project_tag_links (project_id, tag_id) VALUES ($1, $3), ($1, $4), ($2, $3)`, [p1, p2, red, blue]);
      return { workspaceId, admin, p1, p2, p3, red, blue };
    }
    const Q = `query($ws: ID!, $tags: [ID!]) { workspace(id: $ws) { projects(filter: { tagIds: $tags }) { nodes { id } totalCount } } }`;

    it('gives a workspace ADMIN the projects carrying every tag named', async () => {
      const { workspaceId, admin, p1, p2, red, blue } = await tagged();
      const ids = async (tags: string[]) => ok(await server.gql(Q, { ws: workspaceId, tags }, admin.token)).workspace.projects.nodes.map((n: any) => n.id).sort();
      expect(await ids([red])).toEqual([p1, p2].sort());
      expect(await ids([red, blue])).toEqual([p1]);
      expect(await ids([red, red, blue])).toEqual([p1]);
      expect(await ids([randomUUID()])).toEqual([]);
      expect(await ids(['not-a-uuid'])).toEqual([]);
    });

    it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('is FORBIDDEN to a %s, even on projects they administer', async (role) => {
      const { workspaceId, red } = await tagged();
      const person = await addMember(server, workspaceId, role);
      if (role !== 'TASKER') await createResource(server, person, workspaceId);
      const res = await server.gql(Q, { ws: workspaceId, tags: [red] }, person.token);
      expect(errorCode(res)).toBe('FORBIDDEN');
      // Without the filter the same person lists their projects.
      const plain = await server.gql(`query($ws: ID!) { workspace(id: $ws) { projects { totalCount } } }`, { ws: workspaceId }, person.token);
      expect(ok(plain).workspace.projects.totalCount).toBe(role === 'TASKER' ? 0 : 1);
    });
  });

  it('answers null for a malformed id, an id of another type, and an id of another workspace', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server);
    const dataset = await createResource(server, admin, workspaceId, 'DATASET');
    const foreign = await createResource(server, other.admin, other.workspaceId, 'PROJECT');
    for (const id of ['nope', dataset, foreign, randomUUID()]) {
      const res = await readResource(server, admin, workspaceId, id, 'name');
      expect(res.errors).toBeUndefined();
      expect(res.data.workspace.project).toBeNull();
    }
  });

  it.each(TYPES)('keeps the %s lists of two workspaces apart', async (type) => {
    const one = await createWorkspace(server);
    const two = await createWorkspace(server);
    const mine = await createResource(server, one.admin, one.workspaceId, type);
    await createResource(server, two.admin, two.workspaceId, type);
    const res = await server.gql(`query($ws: ID!) { workspace(id: $ws) { ${LIST_FIELD[type]} { nodes { id } totalCount } } }`, { ws: one.workspaceId }, one.admin.token);
    expect(ok(res).workspace[LIST_FIELD[type]]).toEqual({ nodes: [{ id: mine }], totalCount: 1 });
  });
});

describe('viewerRole', () => {
  it('is the highest of the direct role and the roles of groups the viewer is a member of', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const project = await createResource(server, admin, workspaceId);
    const role = async () => ok(await readResource(server, person, workspaceId, project, 'viewerRole')).workspace.project?.viewerRole ?? null;

    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [project], role: 'ANNOTATOR' }));
    expect(await role()).toBe('ANNOTATOR');
    const g1 = await createGroup(server, admin, workspaceId, { memberIds: [person.id] });
    ok(await assignGroup(server, admin, { groupId: g1, resourceIds: [project], role: 'TEAM_MANAGER' }));
    expect(await role()).toBe('TEAM_MANAGER');
    const g2 = await createGroup(server, admin, workspaceId, { memberIds: [person.id] });
    ok(await assignGroup(server, admin, { groupId: g2, resourceIds: [project], role: 'REVIEWER' }));
    expect(await role()).toBe('TEAM_MANAGER');
    ok(await assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [project], role: 'ADMIN' }));
    expect(await role()).toBe('ADMIN');
    // A group the person manages (but is not a member of) gives nothing.
    const managed = await createGroup(server, admin, workspaceId, { managerIds: [person.id] });
    const dataset = await createResource(server, admin, workspaceId, 'DATASET');
    ok(await assignGroup(server, admin, { groupId: managed, resourceType: 'DATASET', resourceIds: [dataset], role: 'ADMIN' }));
    expect(ok(await readResource(server, person, workspaceId, dataset, 'viewerRole', 'DATASET')).workspace.dataset).toBeNull();
  });
});

describe('members (seeResourceMembers)', () => {
  async function project() {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await addMember(server, workspaceId, 'MEMBER');
    const id = await createResource(server, owner, workspaceId);
    return { workspaceId, admin, owner, id };
  }
  const MEMBERS = 'members { user { id email } role via { id name } }';

  it('lists direct roles and, with via, each role held through a group, for the workspace ADMIN (with no role of their own)', async () => {
    const { workspaceId, admin, owner, id } = await project();
    const member = await addMember(server, workspaceId, 'TASKER');
    const manager = await addMember(server, workspaceId, 'MEMBER');
    const direct = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
    const group = await createGroup(server, admin, workspaceId, { memberIds: [member.id], managerIds: [manager.id], name: 'Labelers' });
    ok(await assignGroup(server, admin, { groupId: group, resourceIds: [id], role: 'ANNOTATOR' }));
    ok(await assignUser(server, owner, { workspaceId, userId: direct.id, resourceIds: [id], role: 'REVIEWER' }));
    const res = await readResource(server, admin, workspaceId, id, MEMBERS);
    const members = ok(res).workspace.project.members.map((m: any) => ({ id: m.user.id, role: m.role, via: m.via?.name ?? null }));
    expect(members).toEqual(
      expect.arrayContaining([
        { id: owner.id, role: 'ADMIN', via: null },
        { id: member.id, role: 'ANNOTATOR', via: 'Labelers' },
        { id: direct.id, role: 'REVIEWER', via: null },
      ]),
    );
    expect(members).toHaveLength(3); // the manager holds no role
  });

  it.each([
    ['the project ADMIN', 'MEMBER', 'ADMIN'],
    ['a project TEAM_MANAGER', 'MEMBER', 'TEAM_MANAGER'],
    ['a WORKFORCE_MANAGER project TEAM_MANAGER', 'WORKFORCE_MANAGER', 'TEAM_MANAGER'],
  ] as const)('shows them to %s', async (_who, wsRole, role) => {
    const { workspaceId, owner, id } = await project();
    const person = await addMember(server, workspaceId, wsRole);
    ok(await assignUser(server, owner, { workspaceId, userId: person.id, resourceIds: [id], role }));
    const res = await readResource(server, person, workspaceId, id, MEMBERS);
    expect(ok(res).workspace.project.members.map((m: any) => m.user.id).sort()).toEqual([owner.id, person.id].sort());
  });

  it('shows them to a TEAM_MANAGER through a group', async () => {
    const { workspaceId, admin, id } = await project();
    const person = await addMember(server, workspaceId, 'MEMBER');
    const group = await createGroup(server, admin, workspaceId, { memberIds: [person.id] });
    ok(await assignGroup(server, admin, { groupId: group, resourceIds: [id], role: 'TEAM_MANAGER' }));
    expect(ok(await readResource(server, person, workspaceId, id, MEMBERS)).workspace.project.members).toHaveLength(2);
  });

  it("leaves out the grants through a group the viewer may not see (via never names it), for the project's own ADMIN", async () => {
    const { workspaceId, admin, owner, id } = await project();
    const labeler = await addMember(server, workspaceId, 'MEMBER');
    const group = await createGroup(server, admin, workspaceId, { memberIds: [labeler.id], name: 'Hidden crew' });
    ok(await assignGroup(server, admin, { groupId: group, resourceIds: [id], role: 'ANNOTATOR' }));
    const res = await readResource(server, owner, workspaceId, id, MEMBERS);
    expect(ok(res).workspace.project.members.map((m: any) => m.user.id)).toEqual([owner.id]);
    expect(JSON.stringify(res.data)).not.toContain(group);
    // The workspace ADMIN sees every group, so every grant.
    expect(ok(await readResource(server, admin, workspaceId, id, MEMBERS)).workspace.project.members).toHaveLength(2);
  });

  it.each([
    ['a REVIEWER', 'MEMBER', 'REVIEWER'],
    ['an ANNOTATOR', 'MEMBER', 'ANNOTATOR'],
    ['an ANNOTATOR_REVIEWER', 'WORKFORCE_MANAGER', 'ANNOTATOR_REVIEWER'],
    ['a TASKER, even as project ADMIN', 'TASKER', 'ADMIN'],
    ['a TASKER, even as TEAM_MANAGER', 'TASKER', 'TEAM_MANAGER'],
  ] as const)('refuses them to %s with FORBIDDEN', async (_who, wsRole, role) => {
    const { workspaceId, owner, id } = await project();
    const person = await addMember(server, workspaceId, wsRole);
    ok(await assignUser(server, owner, { workspaceId, userId: person.id, resourceIds: [id], role }));
    const res = await readResource(server, person, workspaceId, id, 'members { user { id } }');
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].path).toEqual(['workspace', 'project', 'members']);
  });

  it.each([
    ['DATASET', 'ADMIN', true],
    ['DATASET', 'USER', false],
    ['ONTOLOGY', 'ADMIN', true],
    ['ONTOLOGY', 'USER', false],
  ] as const)('on a %s: its %s may see them: %s', async (type, role, allowed) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const owner = await addMember(server, workspaceId, 'MEMBER');
    const id = await createResource(server, owner, workspaceId, type);
    const person = await addMember(server, workspaceId, 'MEMBER');
    ok(await assignUser(server, owner, { workspaceId, userId: person.id, resourceType: type, resourceIds: [id], role }));
    const res = await readResource(server, person, workspaceId, id, 'members { user { id } role }', type);
    if (allowed) expect(ok(res).workspace[type.toLowerCase()].members).toHaveLength(2);
    else expect(errorCode(res)).toBe('FORBIDDEN');
    // and the workspace ADMIN always
    expect(ok(await readResource(server, admin, workspaceId, id, 'members { role }', type)).workspace[type.toLowerCase()].members).toHaveLength(2);
  });

  it('leaves out people removed from the workspace', async () => {
    const { workspaceId, owner, id } = await project();
    const gone: Person = await addMember(server, workspaceId, 'MEMBER');
    ok(await assignUser(server, owner, { workspaceId, userId: gone.id, resourceIds: [id], role: 'REVIEWER' }));
    await server.db.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, gone.id]);
    const res = await readResource(server, owner, workspaceId, id, 'members { user { id } }');
    expect(ok(res).workspace.project.members).toEqual([{ user: { id: owner.id } }]);
  });
});
