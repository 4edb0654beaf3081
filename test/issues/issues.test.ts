import { addMember, createWorkspace, signIn, type Person } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { countQueries } from '../support/query-counter';
import { auditOf, counts, CREATE_ISSUE, createProject, giveGroupRole, giveRole, issue, issueTag, PROJECT_ROLES, readProject } from '../tags/fixtures';

let server: TestServer;
beforeAll(async () => {
  // The batching test reads every list of many projects at once: past the default cost limit.
  server = await startTestServer({ GRAPHQL_MAX_COST: '100000000', RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const RESOLVE = `mutation($id: ID!) { resolveIssue(id: $id) { id status title } }`;
const TABLES = ['issues', 'issue_tag_links', 'audit_log'];
const ISSUE_CREATORS = ['ADMIN', 'TEAM_MANAGER', 'ANNOTATOR', 'ANNOTATOR_REVIEWER'] as const;

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createProject(server, workspaceId, admin);
  return { workspaceId, admin, projectId };
}

/** A person with this role on the project; a TASKER in the workspace, to show that the project role decides. */
async function withRole(admin: Person, workspaceId: string, projectId: string, role: (typeof PROJECT_ROLES)[number]) {
  const person = await addMember(server, workspaceId, 'TASKER');
  await giveRole(server, admin, workspaceId, projectId, person, role);
  return person;
}

describe('createIssue', () => {
  it('lets a workspace ADMIN with no project role create an OPEN issue with tags of both levels, audited', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const otherAdmin = await addMember(server, workspaceId, 'ADMIN');
    const ws = await issueTag(server, admin, workspaceId, 'Wide');
    const own = await issueTag(server, admin, workspaceId, 'own', projectId);
    const res = await server.gql(CREATE_ISSUE, { input: { projectId, title: '  Labels drift  ', tagIds: [ws, own, ws] } }, otherAdmin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.createIssue).toMatchObject({ title: 'Labels drift', status: 'OPEN', tags: [{ id: own, name: 'own' }, { id: ws, name: 'Wide' }] });
    expect(await auditOf(server, workspaceId, 'createIssue')).toEqual([
      { actorId: otherAdmin.id, targetId: res.data.createIssue.id, details: { projectId, title: 'Labels drift', tagIds: [ws, own] } },
    ]);
  });

  it.each(ISSUE_CREATORS)('lets a project %s create an issue', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const person = await withRole(admin, workspaceId, projectId, role);
    const res = await server.gql(CREATE_ISSUE, { input: { projectId, title: 'Found it' } }, person.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.createIssue).toMatchObject({ title: 'Found it', status: 'OPEN', tags: [] });
  });

  it('lets an ANNOTATOR through a group create an issue', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const person = await addMember(server, workspaceId, 'MEMBER');
    await giveGroupRole(server, admin, workspaceId, projectId, person, 'ANNOTATOR');
    expect((await server.gql(CREATE_ISSUE, { input: { projectId, title: 'Via group' } }, person.token)).errors).toBeUndefined();
  });

  it('refuses a project REVIEWER with FORBIDDEN, writing nothing', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const person = await withRole(admin, workspaceId, projectId, 'REVIEWER');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(CREATE_ISSUE, { input: { projectId, title: 'No' } }, person.token))).toBe('FORBIDDEN');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it.each(['MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('is NOT_FOUND to a %s with no role on the project', async (role) => {
    const { workspaceId, projectId } = await setup();
    const person = await addMember(server, workspaceId, role);
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(CREATE_ISSUE, { input: { projectId, title: 'No' } }, person.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it("is NOT_FOUND to a stranger, another workspace's ADMIN, and for a malformed project id", async () => {
    const { projectId, admin } = await setup();
    const other = await setup();
    const stranger = await signIn(server, 'issue-stranger@example.test');
    expect(errorCode(await server.gql(CREATE_ISSUE, { input: { projectId, title: 'No' } }, stranger.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(CREATE_ISSUE, { input: { projectId, title: 'No' } }, other.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(CREATE_ISSUE, { input: { projectId: 'nope', title: 'No' } }, admin.token))).toBe('NOT_FOUND');
  });

  it("refuses another project's tag, another workspace's tag, unknown and malformed ids with BAD_USER_INPUT, writing nothing", async () => {
    const { workspaceId, admin, projectId } = await setup();
    const sibling = await createProject(server, workspaceId, admin);
    const other = await setup();
    const fine = await issueTag(server, admin, workspaceId, 'fine');
    const siblings = await issueTag(server, admin, workspaceId, 'siblings', sibling);
    const foreign = await issueTag(server, other.admin, other.workspaceId, 'foreign');
    const unknown = '00000000-0000-4000-8000-000000000000';
    const before = await counts(server, ...TABLES);
    const res = await server.gql(CREATE_ISSUE, { input: { projectId, title: 'Tagged', tagIds: [fine, siblings, foreign, unknown, 'nope'] } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.tagIds', invalid: [siblings, foreign, unknown, 'nope'] }); // in the order given
    expect(await counts(server, ...TABLES)).toEqual(before);
  });

  it.each([['an empty title', ''], ['a blank title', '   '], ['a title of 501 characters', 't'.repeat(501)]])(
    'refuses %s with BAD_USER_INPUT, writing nothing',
    async (_what, title) => {
      const { admin, projectId } = await setup();
      const before = await counts(server, ...TABLES);
      const res = await server.gql(CREATE_ISSUE, { input: { projectId, title } }, admin.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
      expect(res.errors![0].extensions!.field).toBe('input.title');
      expect(await counts(server, ...TABLES)).toEqual(before);
    },
  );
});

describe('resolveIssue', () => {
  it.each(PROJECT_ROLES)('lets a project %s resolve an issue, audited once', async (role) => {
    const { workspaceId, admin, projectId } = await setup();
    const issueId = await issue(server, admin, projectId, 'Fix me');
    const person = await withRole(admin, workspaceId, projectId, role);
    const res = await server.gql(RESOLVE, { id: issueId }, person.token);
    expect(res.data.resolveIssue).toEqual({ id: issueId, status: 'RESOLVED', title: 'Fix me' });
    // Again: nothing changes, nothing more is recorded.
    expect((await server.gql(RESOLVE, { id: issueId }, person.token)).data.resolveIssue.status).toBe('RESOLVED');
    expect(await auditOf(server, workspaceId, 'resolveIssue')).toEqual([
      { actorId: person.id, targetId: issueId, details: { projectId, from: 'OPEN', to: 'RESOLVED' } },
    ]);
    const [row] = await server.db.query(`SELECT resolved_at FROM issues WHERE id = $1`, [issueId]);
    expect(row.resolved_at).not.toBeNull();
  });

  it('lets a workspace ADMIN with no project role resolve an issue', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const issueId = await issue(server, admin, projectId, 'Fix me');
    const otherAdmin = await addMember(server, workspaceId, 'ADMIN');
    expect((await server.gql(RESOLVE, { id: issueId }, otherAdmin.token)).data.resolveIssue.status).toBe('RESOLVED');
  });

  it("is NOT_FOUND to a member with no project role, another workspace's ADMIN, and for bad ids, changing nothing", async () => {
    const { workspaceId, admin, projectId } = await setup();
    const other = await setup();
    const issueId = await issue(server, admin, projectId, 'Stays open');
    const member = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const before = await counts(server, ...TABLES);
    expect(errorCode(await server.gql(RESOLVE, { id: issueId }, member.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(RESOLVE, { id: issueId }, other.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(RESOLVE, { id: 'nope' }, admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(RESOLVE, { id: '00000000-0000-4000-8000-000000000000' }, admin.token))).toBe('NOT_FOUND');
    expect(await counts(server, ...TABLES)).toEqual(before);
    const [row] = await server.db.query(`SELECT status FROM issues WHERE id = $1`, [issueId]);
    expect(row.status).toBe('OPEN');
  });
});

describe('Project.issues', () => {
  async function threeIssues() {
    const { workspaceId, admin, projectId } = await setup();
    const bug = await issueTag(server, admin, workspaceId, 'bug');
    const ui = await issueTag(server, admin, workspaceId, 'ui', projectId);
    const first = await issue(server, admin, projectId, 'first', [bug]);
    const second = await issue(server, admin, projectId, 'second', [bug, ui]);
    const third = await issue(server, admin, projectId, 'third', [ui]);
    await server.gql(RESOLVE, { id: second }, admin.token);
    return { workspaceId, admin, projectId, bug, ui, first, second, third };
  }
  const titles = (res: any) => res.data.workspace.project.issues.map((i: any) => i.title).sort();

  it('lists every issue of the project with its tags and status', async () => {
    const { workspaceId, admin, projectId, bug, ui } = await threeIssues();
    const res = await readProject(server, admin, workspaceId, projectId, 'issues { title status tags { id } }');
    expect(res.errors).toBeUndefined();
    const byTitle = Object.fromEntries(res.data.workspace.project.issues.map((i: any) => [i.title, i]));
    expect(byTitle).toEqual({
      first: { title: 'first', status: 'OPEN', tags: [{ id: bug }] },
      second: { title: 'second', status: 'RESOLVED', tags: [{ id: bug }, { id: ui }] },
      third: { title: 'third', status: 'OPEN', tags: [{ id: ui }] },
    });
  });

  it('filters by status, by tags (issues carrying every tag named) and by both', async () => {
    const { workspaceId, admin, projectId, bug, ui } = await threeIssues();
    const query = (filter: unknown) => readProject(server, admin, workspaceId, projectId, `issues(filter: ${filter}) { title }`);
    expect(titles(await query('{ status: OPEN }'))).toEqual(['first', 'third']);
    expect(titles(await query('{ status: RESOLVED }'))).toEqual(['second']);
    expect(titles(await query(`{ tagIds: ["${bug}"] }`))).toEqual(['first', 'second']);
    expect(titles(await query(`{ tagIds: ["${bug}", "${ui}", "${bug}"] }`))).toEqual(['second']);
    expect(titles(await query(`{ tagIds: ["${ui}"], status: OPEN }`))).toEqual(['third']);
    expect(titles(await query(`{ tagIds: [] }`))).toEqual(['first', 'second', 'third']);
    expect(titles(await query(`{ tagIds: ["nope"] }`))).toEqual([]);
    expect(titles(await query(`{ tagIds: ["00000000-0000-4000-8000-000000000000"] }`))).toEqual([]);
  });

  it.each(PROJECT_ROLES)("shows a project %s the project's issues", async (role) => {
    const { workspaceId, admin, projectId } = await threeIssues();
    const person = await withRole(admin, workspaceId, projectId, role);
    const res = await readProject(server, person, workspaceId, projectId, 'issues { title }');
    expect(titles(res)).toEqual(['first', 'second', 'third']);
  });

  it('shows a workspace ADMIN with no role the issues; a member with no role does not see the project', async () => {
    const { workspaceId, projectId } = await threeIssues();
    const otherAdmin = await addMember(server, workspaceId, 'ADMIN');
    expect(titles(await readProject(server, otherAdmin, workspaceId, projectId, 'issues { title }'))).toEqual(['first', 'second', 'third']);
    const member = await addMember(server, workspaceId, 'MEMBER');
    expect((await readProject(server, member, workspaceId, projectId, 'issues { title }')).data.workspace.project).toBeNull();
  });

  it('loads the tags of many issues (and many projects) without a query per item', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const tag = await issueTag(server, admin, workspaceId, 'batch');
    const own = await issueTag(server, admin, workspaceId, 'own', projectId);
    const query = `query($ws: ID!) { workspace(id: $ws) { projects { nodes { id tags { id } issueTags { id project { id } }
      issues(filter: { status: OPEN }) { id tags { id name project { id } } } } } } }`;
    const counter = countQueries(server.db);
    try {
      const statements = () => counter.during(async () => expect((await server.gql(query, { ws: workspaceId }, admin.token)).errors).toBeUndefined());
      await issue(server, admin, projectId, 'one', [tag, own]);
      const withOne = await statements();
      expect(withOne).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) {
        const more = await createProject(server, workspaceId, admin);
        const local = await issueTag(server, admin, workspaceId, `own ${i}`, more);
        for (let j = 0; j < 4; j++) await issue(server, admin, more, `more ${i}.${j}`, [tag, local]);
      }
      expect(await statements()).toBe(withOne);
    } finally {
      counter.stop();
    }
  });
});
