import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { auditOf, counts, CREATE_ISSUE_TAG, createProject, giveGroupRole, giveRole, issue, issueTag, PROJECT_ROLES, readProject } from './fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const WORKSPACE_TAGS = `query($id: ID!) { workspace(id: $id) { issueTags { id name project { id } } } }`;
const DELETE = `mutation($id: ID!) { deleteIssueTag(id: $id) }`;
const TABLES = ['issue_tags', 'issue_tag_links', 'audit_log'];

/** A workspace with one project whose direct ADMIN is the workspace's creator. */
async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createProject(server, workspaceId, admin);
  return { workspaceId, admin, projectId };
}

describe('createIssueTag: workspace-level', () => {
  it('lets a workspace ADMIN create one, audited; it has no project', async () => {
    const { workspaceId, admin } = await setup();
    const res = await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: ' Bug ' } }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.createIssueTag).toMatchObject({ name: 'Bug', project: null });
    expect(await auditOf(server, workspaceId, 'createIssueTag')).toEqual([
      { actorId: admin.id, targetId: res.data.createIssueTag.id, details: { name: 'Bug', projectId: null } },
    ]);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('refuses a %s with FORBIDDEN, even one who is a project ADMIN', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const person = await addMember(server, workspaceId, role);
    await giveRole(server, admin, workspaceId, projectId, person, 'ADMIN');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'Bug' } }, person.token))).toBe('FORBIDDEN');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('answers NOT_FOUND to a stranger and an INVITED ADMIN', async () => {
    const { workspaceId } = await setup();
    const invited = await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    const stranger = await signIn(server, 'issue-tag-stranger@example.test');
    for (const person of [invited, stranger]) {
      expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'Bug' } }, person.token))).toBe('NOT_FOUND');
    }
  });
});

describe('createIssueTag: project-level', () => {
  it('lets a workspace ADMIN and a project ADMIN (direct or through a group) create one', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const direct = await addMember(server, workspaceId, 'MEMBER');
    const viaGroup = await addMember(server, workspaceId, 'TASKER');
    await giveRole(server, admin, workspaceId, projectId, direct, 'ADMIN');
    await giveGroupRole(server, admin, workspaceId, projectId, viaGroup, 'ADMIN');
    for (const [person, name] of [[admin, 'one'], [direct, 'two'], [viaGroup, 'three']] as const) {
      const res = await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name, projectId } }, person.token);
      expect(res.errors).toBeUndefined();
      expect(res.data.createIssueTag).toMatchObject({ name, project: { id: projectId } });
    }
    const entries = await auditOf(server, workspaceId, 'createIssueTag');
    expect(entries.map((e) => [e.actorId, e.details])).toEqual([
      [admin.id, { name: 'one', projectId }],
      [direct.id, { name: 'two', projectId }],
      [viaGroup.id, { name: 'three', projectId }],
    ]);
  });

  it.each(PROJECT_ROLES.filter((r) => r !== 'ADMIN'))('refuses a project %s with FORBIDDEN, writing nothing', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const person = await addMember(server, workspaceId, 'MEMBER');
    await giveRole(server, admin, workspaceId, projectId, person, role);
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'x', projectId } }, person.token))).toBe('FORBIDDEN');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('is NOT_FOUND to a member with no role on the project, for a project of another workspace, and for a malformed id', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const other = await setup();
    const member = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'x', projectId } }, member.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'x', projectId: other.projectId } }, admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'x', projectId: 'nope' } }, admin.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });
});

describe('issue tag names', () => {
  it.each([
    ['an empty name', ''],
    ['a name of whitespace only', '   '],
    ['a name of 65 characters', 'n'.repeat(65)],
  ])('refuses %s with BAD_USER_INPUT at both levels, writing nothing', async (_what, name) => {
    const { workspaceId, admin, projectId } = await setup();
    const before = await counts(server, ...TABLES);
    for (const input of [{ workspaceId, name }, { workspaceId, name, projectId }]) {
      const res = await server.gql(CREATE_ISSUE_TAG, { input }, admin.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.name');
    }
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('refuses the same name in another case within a level (CONFLICT), writing nothing', async () => {
    const { workspaceId, admin, projectId } = await setup();
    await issueTag(server, admin, workspaceId, 'Bug');
    await issueTag(server, admin, workspaceId, 'Local', projectId);
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: ' BUG' } }, admin.token))).toBe('CONFLICT');
    expect(errorCode(await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'local ', projectId } }, admin.token))).toBe('CONFLICT');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('refuses a project tag that would shadow a workspace tag, naming the clash', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const bug = await issueTag(server, admin, workspaceId, 'Bug');
    const projectAdmin = await addMember(server, workspaceId, 'MEMBER');
    await giveRole(server, admin, workspaceId, projectId, projectAdmin, 'ADMIN');
    const before = await counts(server, ...TABLES);
    const res = await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'bug', projectId } }, projectAdmin.token);
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toBe('A workspace-level issue tag is already named "Bug"');
    expect(res.errors![0].extensions!.clash).toEqual({ id: bug, name: 'Bug', projectId: null });
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it("refuses a workspace tag that would collide with any project's own tag, naming the project", async () => {
    const { workspaceId, admin } = await setup();
    const projectId = await createProject(server, workspaceId, admin, 'Apollo');
    const local = await issueTag(server, admin, workspaceId, 'Flaky', projectId);
    const before = await counts(server, ...TABLES);
    const res = await server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'FLAKY' } }, admin.token);
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].message).toBe('Project "Apollo" already has an issue tag named "Flaky"');
    expect(res.errors![0].extensions!.clash).toEqual({ id: local, name: 'Flaky', projectId });
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it('allows one name in two projects of a workspace, and in two workspaces', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const second = await createProject(server, workspaceId, admin);
    const other = await setup();
    await issueTag(server, admin, workspaceId, 'Same', projectId);
    await issueTag(server, admin, workspaceId, 'same', second);
    await issueTag(server, other.admin, other.workspaceId, 'SAME');
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM issue_tags WHERE lower(name) = 'same' AND workspace_id = ANY($1::uuid[])`, [[workspaceId, other.workspaceId]]);
    expect(row.n).toBe(3);
  });

  it('keeps the rule under a race between a workspace tag and a project tag of one name', async () => {
    for (let round = 0; round < 5; round++) {
      const { workspaceId, admin, projectId } = await setup();
      const results = await Promise.all([
        server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'Race' } }, admin.token),
        server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'race', projectId } }, admin.token),
        server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: 'RACE' } }, admin.token),
        server.gql(CREATE_ISSUE_TAG, { input: { workspaceId, name: ' race ', projectId } }, admin.token),
      ]);
      const codes = results.map((r) => (r.data ? 'OK' : errorCode(r)));
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(codes.filter((c) => c === 'CONFLICT')).toHaveLength(3);
      const [row] = await server.db.query(`SELECT count(*)::int AS n FROM issue_tags WHERE workspace_id = $1`, [workspaceId]);
      expect(row.n).toBe(1);
    }
  });
});

describe('seeing issue tags', () => {
  it.each(['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)(
    'Workspace.issueTags shows a %s the workspace-level tags only',
    async (role) => {
      const { workspaceId, admin, projectId } = await setup();
      const b = await issueTag(server, admin, workspaceId, 'bug');
      const a = await issueTag(server, admin, workspaceId, 'Asset');
      await issueTag(server, admin, workspaceId, 'own', projectId);
      const person = role === 'ADMIN' ? admin : await addMember(server, workspaceId, role);
      const res = await server.gql(WORKSPACE_TAGS, { id: workspaceId }, person.token);
      expect(res.data.workspace.issueTags).toEqual([
        { id: a, name: 'Asset', project: null },
        { id: b, name: 'bug', project: null },
      ]);
    },
  );

  it.each(PROJECT_ROLES)('Project.issueTags shows a project %s the workspace tags and the project\'s own, not another project\'s', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const otherProject = await createProject(server, workspaceId, admin);
    const ws = await issueTag(server, admin, workspaceId, 'everywhere');
    const own = await issueTag(server, admin, workspaceId, 'Mine', projectId);
    await issueTag(server, admin, workspaceId, 'theirs', otherProject);
    const person = await addMember(server, workspaceId, 'TASKER');
    await giveRole(server, admin, workspaceId, projectId, person, role);
    const res = await readProject(server, person, workspaceId, projectId, 'issueTags { id name project { id } }');
    expect(res.errors).toBeUndefined();
    expect(res.data.workspace.project.issueTags).toEqual([
      { id: ws, name: 'everywhere', project: null },
      { id: own, name: 'Mine', project: { id: projectId } },
    ]);
  });

  it('Project.issueTags is there for a workspace ADMIN with no project role; a member with no role does not see the project', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const otherAdmin = await addMember(server, workspaceId, 'ADMIN');
    const member = await addMember(server, workspaceId, 'MEMBER');
    await issueTag(server, admin, workspaceId, 'own', projectId);
    const seen = await readProject(server, otherAdmin, workspaceId, projectId, 'issueTags { name }');
    expect(seen.data.workspace.project.issueTags).toEqual([{ name: 'own' }]);
    const unseen = await readProject(server, member, workspaceId, projectId, 'issueTags { name }');
    expect(unseen.data.workspace.project).toBeNull();
  });
});

describe('deleteIssueTag', () => {
  it('lets a workspace ADMIN delete a workspace tag; the issues that carried it keep their other tags; audited', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const gone = await issueTag(server, admin, workspaceId, 'gone');
    const kept = await issueTag(server, admin, workspaceId, 'kept');
    const issueId = await issue(server, admin, projectId, 'Broken', [gone, kept]);
    const res = await server.gql(DELETE, { id: gone }, admin.token);
    expect(res.data).toEqual({ deleteIssueTag: true });
    const [links] = await server.db.query(`SELECT array_agg(tag_id) AS tags FROM issue_tag_links WHERE issue_id = $1`, [issueId]);
    expect(links.tags).toEqual([kept]);
    expect(await auditOf(server, workspaceId, 'deleteIssueTag')).toEqual([{ actorId: admin.id, targetId: gone, details: { name: 'gone', projectId: null } }]);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('refuses a %s a workspace tag with FORBIDDEN, even as a project ADMIN', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const tag = await issueTag(server, admin, workspaceId, 'stays');
    const person = await addMember(server, workspaceId, role);
    await giveRole(server, admin, workspaceId, projectId, person, 'ADMIN');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(DELETE, { id: tag }, person.token))).toBe('FORBIDDEN');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it("lets the project's ADMIN and a workspace ADMIN delete a project tag", async () => {
    const { workspaceId, admin, projectId } = await setup();
    const projectAdmin = await addMember(server, workspaceId, 'MEMBER');
    await giveGroupRole(server, admin, workspaceId, projectId, projectAdmin, 'ADMIN');
    const one = await issueTag(server, admin, workspaceId, 'one', projectId);
    const two = await issueTag(server, admin, workspaceId, 'two', projectId);
    expect((await server.gql(DELETE, { id: one }, projectAdmin.token)).data).toEqual({ deleteIssueTag: true });
    expect((await server.gql(DELETE, { id: two }, admin.token)).data).toEqual({ deleteIssueTag: true });
    expect((await auditOf(server, workspaceId, 'deleteIssueTag')).map((e) => [e.actorId, e.targetId, e.details.projectId])).toEqual([
      [projectAdmin.id, one, projectId],
      [admin.id, two, projectId],
    ]);
  });

  it.each(PROJECT_ROLES.filter((r) => r !== 'ADMIN'))('refuses a project %s a project tag with FORBIDDEN', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const tag = await issueTag(server, admin, workspaceId, 'stays', projectId);
    const person = await addMember(server, workspaceId, 'MEMBER');
    await giveRole(server, admin, workspaceId, projectId, person, role);
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(DELETE, { id: tag }, person.token))).toBe('FORBIDDEN');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it("is NOT_FOUND for a member with no role on the tag's project, another workspace's ADMIN, and bad ids", async () => {
    const { workspaceId, admin, projectId } = await setup();
    const other = await setup();
    const tag = await issueTag(server, admin, workspaceId, 'stays', projectId);
    const wsTag = await issueTag(server, admin, workspaceId, 'ws');
    const member = await addMember(server, workspaceId, 'MEMBER');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(DELETE, { id: tag }, member.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE, { id: tag }, other.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE, { id: wsTag }, other.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE, { id: 'nope' }, admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE, { id: '00000000-0000-4000-8000-000000000000' }, admin.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });
});
