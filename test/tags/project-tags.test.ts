import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { auditOf, counts, CREATE_PROJECT_TAG, createProject, giveRole, projectTag, readProject } from './fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const PROJECT_TAGS = `query($id: ID!) { workspace(id: $id) { id projectTags { id name } } }`;
const DELETE = `mutation($id: ID!) { deleteProjectTag(id: $id) }`;
const SET = `mutation($input: SetProjectTagsInput!) { setProjectTags(input: $input) { id tags { id name } } }`;
const TABLES = ['project_tags', 'project_tag_links', 'audit_log'];

describe('createProjectTag', () => {
  it('lets an ADMIN create a tag, trimmed, listed in Workspace.projectTags and audited', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name: '  Urgent  ' } }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.createProjectTag.name).toBe('Urgent');
    const list = await server.gql(PROJECT_TAGS, { id: workspaceId }, admin.token);
    expect(list.data.workspace.projectTags).toEqual([res.data.createProjectTag]);
    expect(await auditOf(server, workspaceId, 'createProjectTag')).toEqual([
      { actorId: admin.id, targetId: res.data.createProjectTag.id, details: { name: 'Urgent' } },
    ]);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('refuses a %s with FORBIDDEN and writes nothing', async (role) => {
    const { workspaceId } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, role);
    const before = await counts(server, ...TABLES);
    const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name: 'Mine' } }, person.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('answers NOT_FOUND to an INVITED ADMIN, a stranger and a malformed workspace id', async () => {
    const { workspaceId } = await createWorkspace(server);
    const invited = await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    const stranger = await signIn(server, 'tag-stranger@example.test');
    const before = await counts(server, ...TABLES);
    for (const [person, id] of [[invited, workspaceId], [stranger, workspaceId], [invited, 'not-a-uuid']] as const) {
      expect(errorCode(await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId: id, name: 'x' } }, person.token))).toBe('NOT_FOUND');
    }
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it.each([
    ['an empty name', ''],
    ['a name of whitespace only', ' \t  '],
    ['a name of 65 characters', 'x'.repeat(65)],
    ['a name of 65 characters after trimming', `  ${'y'.repeat(65)}  `],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_what, name) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await counts(server, ...TABLES);
    const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.name');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('accepts 1 and 64 characters (64 once trimmed)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    for (const name of ['a', 'z'.repeat(64), `   ${'w'.repeat(64)}   `]) {
      const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name } }, admin.token);
      expect(res.data?.createProjectTag.name).toBe(name.trim());
    }
  });

  it.each([['the same name in another case', 'URGENT'], ['the same name with spaces around it', '  urgent '], ['both', ' uRgEnT']])(
    'refuses %s with CONFLICT naming the existing tag, and writes nothing',
    async (_what, name) => {
      const { workspaceId, admin } = await createWorkspace(server);
      const existing = await projectTag(server, admin, workspaceId, 'Urgent');
      const before = await counts(server, ...TABLES);
      const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name } }, admin.token);
      expect(errorCode(res)).toBe('CONFLICT');
      expect(res.errors![0].message).toContain('"Urgent"');
      expect(res.errors![0].extensions!.existing).toEqual({ id: existing, name: 'Urgent' });
      expect(await counts(server, ...TABLES)).toEqual(before);
    },
  );

  it('allows the same name in another workspace', async () => {
    const one = await createWorkspace(server);
    const two = await createWorkspace(server);
    await projectTag(server, one.admin, one.workspaceId, 'Shared');
    const res = await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId: two.workspaceId, name: 'shared' } }, two.admin.token);
    expect(res.data?.createProjectTag.name).toBe('shared');
  });

  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;
  onPostgres('gives one tag and 49 CONFLICTs to 50 concurrent creators of one name, never a 500', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name: i % 2 ? 'Race' : ' race ' } }, admin.token)),
    );
    expect(results.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
    const codes = results.map((r) => (r.data ? 'OK' : errorCode(r)));
    expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
    expect(codes.filter((c) => c === 'CONFLICT')).toHaveLength(49);
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM project_tags WHERE workspace_id = $1`, [workspaceId]);
    expect(row.n).toBe(1);
    expect(await auditOf(server, workspaceId, 'createProjectTag')).toHaveLength(1);
  });
});

describe('Workspace.projectTags', () => {
  it('lists the workspace\'s tags by name to an ADMIN, and no other workspace\'s', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server);
    await projectTag(server, other.admin, other.workspaceId, 'Elsewhere');
    const b = await projectTag(server, admin, workspaceId, 'beta');
    const a = await projectTag(server, admin, workspaceId, 'Alpha');
    const res = await server.gql(PROJECT_TAGS, { id: workspaceId }, admin.token);
    expect(res.data.workspace.projectTags).toEqual([{ id: a, name: 'Alpha' }, { id: b, name: 'beta' }]);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('is FORBIDDEN to a %s', async (role) => {
    const { workspaceId, admin } = await createWorkspace(server);
    await projectTag(server, admin, workspaceId, 'Secret');
    const person = await addMember(server, workspaceId, role);
    const res = await server.gql(PROJECT_TAGS, { id: workspaceId }, person.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(JSON.stringify(res)).not.toContain('Secret');
  });
});

describe('setProjectTags and Project.tags', () => {
  it('lets an ADMIN set, replace and clear the tags of a project, audited with what changed', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createProject(server, workspaceId, admin);
    const [red, green, blue] = [await projectTag(server, admin, workspaceId, 'red'), await projectTag(server, admin, workspaceId, 'green'), await projectTag(server, admin, workspaceId, 'blue')];

    let res = await server.gql(SET, { input: { projectId, tagIds: [red, green, red] } }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.setProjectTags.tags).toEqual([{ id: green, name: 'green' }, { id: red, name: 'red' }]);

    res = await server.gql(SET, { input: { projectId, tagIds: [blue, green] } }, admin.token);
    expect(res.data.setProjectTags.tags.map((t: any) => t.name)).toEqual(['blue', 'green']);
    const read = await readProject(server, admin, workspaceId, projectId, 'tags { name }');
    expect(read.data.workspace.project.tags).toEqual([{ name: 'blue' }, { name: 'green' }]);

    res = await server.gql(SET, { input: { projectId, tagIds: [] } }, admin.token);
    expect(res.data.setProjectTags.tags).toEqual([]);

    const entries = await auditOf(server, workspaceId, 'setProjectTags');
    expect(entries.map((e) => e.details)).toEqual([
      { added: [red, green], removed: [], tagIds: [red, green] },
      { added: [blue], removed: [red], tagIds: [blue, green] },
      { added: [], removed: [blue, green].sort(), tagIds: [] },
    ]);
    expect(entries.every((e) => e.targetId === projectId && e.actorId === admin.id)).toBe(true);
  });

  it('refuses a tag of another workspace, an unknown id and a malformed id with BAD_USER_INPUT, changing nothing', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server);
    const projectId = await createProject(server, workspaceId, admin);
    const mine = await projectTag(server, admin, workspaceId, 'mine');
    const theirs = await projectTag(server, other.admin, other.workspaceId, 'theirs');
    await server.gql(SET, { input: { projectId, tagIds: [mine] } }, admin.token);
    const before = await counts(server, ...TABLES);
    const unknown = '00000000-0000-4000-8000-000000000000';
    const res = await server.gql(SET, { input: { projectId, tagIds: [mine, theirs, unknown, 'nope'] } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.tagIds', invalid: [theirs, unknown, 'nope'] }); // in the order given
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('refuses a project ADMIN who is not a workspace ADMIN (FORBIDDEN); a project they do not see is NOT_FOUND', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createProject(server, workspaceId, admin);
    const tag = await projectTag(server, admin, workspaceId, 'keep');
    const member = await addMember(server, workspaceId, 'MEMBER');
    const outsider = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    await giveRole(server, admin, workspaceId, projectId, member, 'ADMIN');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(SET, { input: { projectId, tagIds: [tag] } }, member.token))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(SET, { input: { projectId, tagIds: [tag] } }, outsider.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(SET, { input: { projectId: 'nope', tagIds: [] } }, admin.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('shows Project.tags to workspace ADMINs only: null with FORBIDDEN for a project ADMIN', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createProject(server, workspaceId, admin);
    const tag = await projectTag(server, admin, workspaceId, 'hidden-from-members');
    await server.gql(SET, { input: { projectId, tagIds: [tag] } }, admin.token);
    const member = await addMember(server, workspaceId, 'MEMBER');
    await giveRole(server, admin, workspaceId, projectId, member, 'ADMIN');

    const res = await readProject(server, member, workspaceId, projectId, 'name tags { id name }');
    expect(res.data.workspace.project).toMatchObject({ id: projectId, tags: null });
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].path).toEqual(['workspace', 'project', 'tags']);
    expect(JSON.stringify(res.data)).not.toContain('hidden-from-members');
  });
});

describe('deleteProjectTag', () => {
  it('removes the tag from every project, audited with the projects it left', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const p1 = await createProject(server, workspaceId, admin);
    const p2 = await createProject(server, workspaceId, admin);
    const gone = await projectTag(server, admin, workspaceId, 'gone');
    const kept = await projectTag(server, admin, workspaceId, 'kept');
    await server.gql(SET, { input: { projectId: p1, tagIds: [gone, kept] } }, admin.token);
    await server.gql(SET, { input: { projectId: p2, tagIds: [gone] } }, admin.token);

    const res = await server.gql(DELETE, { id: gone }, admin.token);
    expect(res.data).toEqual({ deleteProjectTag: true });
    expect((await readProject(server, admin, workspaceId, p1, 'tags { name }')).data.workspace.project.tags).toEqual([{ name: 'kept' }]);
    expect((await readProject(server, admin, workspaceId, p2, 'tags { name }')).data.workspace.project.tags).toEqual([]);
    expect((await server.gql(PROJECT_TAGS, { id: workspaceId }, admin.token)).data.workspace.projectTags).toEqual([{ id: kept, name: 'kept' }]);
    const [entry] = await auditOf(server, workspaceId, 'deleteProjectTag');
    expect(entry).toEqual({ actorId: admin.id, targetId: gone, details: { name: 'gone', removedFromProjects: [p1, p2].sort() } });
    // The name is free again.
    expect((await server.gql(CREATE_PROJECT_TAG, { input: { workspaceId, name: 'GONE' } }, admin.token)).data?.createProjectTag.name).toBe('GONE');
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('is NOT_FOUND to a %s (project tags do not exist for them), deleting nothing', async (role) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const tag = await projectTag(server, admin, workspaceId, 'stays');
    const person = await addMember(server, workspaceId, role);
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(DELETE, { id: tag }, person.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it("is NOT_FOUND for another workspace's ADMIN, an unknown id and a malformed id", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server);
    const tag = await projectTag(server, admin, workspaceId, 'stays');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(DELETE, { id: tag }, other.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE, { id: '00000000-0000-4000-8000-000000000000' }, admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE, { id: 'nope' }, admin.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });
});
