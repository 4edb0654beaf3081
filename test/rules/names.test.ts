import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { Q, group, ok, refused, resource, same, unchanged, workspaceState, type Person } from './support';

/**
 * Names (docs/permissions.md "Names", product decision 7 of issue 13): group, project tag and issue tag
 * names compare after NFKC, trimming and case folding, so two names that look the same are the
 * same name (CONFLICT); any name (workspace, resource, group, tag, API key, folder) holding
 * control, zero-width/format (Unicode Cf) or line/paragraph separator characters is
 * BAD_USER_INPUT. The attack of the issue itself (full-width letters, zero-width spaces on
 * group and tag names) is in regressions.test.ts, bullet 10.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server?.close());

const gql = (query: string, variables: Record<string, unknown>, token: string) => server.gql(query, variables, token);

// In the middle of the name, and at its ends (where trimming would quietly take some of them off).
const BAD: Array<[string, string]> = [
  ['a line separator at the end (U+2028)', 'Night shift\u2028'],
  ['a byte order mark at the start (U+FEFF)', '\uFEFFNight shift'],
  ['a tab at the end (U+0009)', 'Night shift\t'],
  ['a zero-width space (U+200B)', 'Night\u200Bshift'],
  ['a word joiner (U+2060)', 'Night\u2060shift'],
  ['a right-to-left override (U+202E)', 'Night\u202Eshift'],
  ['a line separator (U+2028)', 'Night\u2028shift'],
  ['a paragraph separator (U+2029)', 'Night\u2029shift'],
  ['a newline (U+000A)', 'Night\nshift'],
  ['an escape control character (U+001B)', 'Night\u001Bshift'],
  ['a soft hyphen (U+00AD)', 'Night\u00ADshift'],
];

type Target = {
  what: string;
  field: string;
  run: (s: { workspaceId: string; admin: Person; dataset: string; groupId: string }, name: string) => Promise<any>;
};

const TARGETS: Target[] = [
  { what: 'createWorkspace', field: 'input.name', run: (s, name) => gql(`mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`, { input: { name } }, s.admin.token) },
  { what: 'updateWorkspace', field: 'input.name', run: (s, name) => gql(`mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { id } }`, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  { what: 'createProject', field: 'input.name', run: (s, name) => gql(Q.createProject, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  { what: 'createDataset', field: 'input.name', run: (s, name) => gql(Q.createDataset, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  {
    what: 'createOntology',
    field: 'input.name',
    run: (s, name) => gql(`mutation($input: CreateResourceInput!) { createOntology(input: $input) { id } }`, { input: { workspaceId: s.workspaceId, name } }, s.admin.token),
  },
  { what: 'createGroup', field: 'input.name', run: (s, name) => gql(Q.createGroup, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  { what: 'updateGroup', field: 'input.name', run: (s, name) => gql(Q.updateGroup, { input: { groupId: s.groupId, name } }, s.admin.token) },
  { what: 'createProjectTag', field: 'input.name', run: (s, name) => gql(Q.createProjectTag, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  { what: 'createIssueTag', field: 'input.name', run: (s, name) => gql(Q.createIssueTag, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  { what: 'createApiKey', field: 'input.name', run: (s, name) => gql(Q.createApiKey, { input: { workspaceId: s.workspaceId, name } }, s.admin.token) },
  {
    what: 'startJob (folderName)',
    field: 'input.folderName',
    run: (s, name) => gql(Q.startJob, { input: { workspaceId: s.workspaceId, type: 'DATA_IMPORT', datasetId: s.dataset, folderName: name } }, s.admin.token),
  },
];

describe('a name holding control, format (Cf) or separator characters is BAD_USER_INPUT', () => {
  it.each(TARGETS.flatMap((t) => BAD.map(([what, name]) => [t.what, what, name, t] as const)))('%s with %s; nothing changes', async (op, what, name, target) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const dataset = await resource(server, workspaceId, 'DATASET', 'Imports', [admin.id]);
    const groupId = await group(server, workspaceId, { name: 'Plain', createdBy: admin.id });
    const before = await workspaceState(server, workspaceId);
    const [{ n: workspacesBefore }] = await server.db.query(`SELECT count(*)::int AS n FROM workspaces`);
    refused(await target.run({ workspaceId, admin, dataset, groupId }, name), 'BAD_USER_INPUT', `${op} with a name holding ${what} (${JSON.stringify(name)})`, target.field);
    await unchanged(server, workspaceId, before, `${op} with a name holding ${what}`);
    const [{ n: workspacesAfter }] = await server.db.query(`SELECT count(*)::int AS n FROM workspaces`);
    same(workspacesAfter, workspacesBefore, 'the number of workspaces after the refusal');
  });

  it.each(TARGETS.map((t) => [t.what, t] as const))('%s still takes a name with accents, punctuation and inner spaces', async (_op, target) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const dataset = await resource(server, workspaceId, 'DATASET', 'Imports', [admin.id]);
    const groupId = await group(server, workspaceId, { name: 'Plain', createdBy: admin.id });
    ok(await target.run({ workspaceId, admin, dataset, groupId }, 'Équipe de nuit – 2026/β'), `${target.what} with an ordinary international name`);
  });
});

describe('group, project tag and issue tag names compare after NFKC, trimming and case folding', () => {
  type Kind = 'group' | 'project tag' | 'issue tag';
  const create = (kind: Kind, workspaceId: string, admin: Person, name: string) =>
    kind === 'group'
      ? gql(Q.createGroup, { input: { workspaceId, name } }, admin.token)
      : kind === 'project tag'
        ? gql(Q.createProjectTag, { input: { workspaceId, name } }, admin.token)
        : gql(Q.createIssueTag, { input: { workspaceId, name } }, admin.token);
  const pairs: Array<[string, string, string]> = [
    ['a precomposed and a combining accent', 'Café', 'Cafe\u0301'],
    ['a ligature', 'file', 'ﬁle'],
    ['full-width digits and letters', 'team1', 'ＴＥＡＭ１'],
    ['a no-break space', 'night shift', 'Night\u00A0Shift'],
    ['a superscript digit', 'level2', 'LEVEL²'],
  ];

  it.each((['group', 'project tag', 'issue tag'] as const).flatMap((k) => pairs.map(([what, a, b]) => [k, what, a, b] as const)))(
    '%s names: %s clash (CONFLICT); nothing changes',
    async (kind, what, first, second) => {
      const { workspaceId, admin } = await createWorkspace(server);
      ok(await create(kind, workspaceId, admin, first), `creating the ${kind} ${JSON.stringify(first)}`);
      const before = await workspaceState(server, workspaceId);
      refused(await create(kind, workspaceId, admin, second), 'CONFLICT', `a ${kind} ${JSON.stringify(second)} beside ${JSON.stringify(first)} (${what})`);
      await unchanged(server, workspaceId, before, `a ${kind} ${JSON.stringify(second)} beside ${JSON.stringify(first)}`);
    },
  );

  it('refuses renaming a group onto a look-alike of another group’s name (CONFLICT); nothing changes', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await group(server, workspaceId, { name: 'Reviewers', createdBy: admin.id });
    const groupId = await group(server, workspaceId, { name: 'Annotators', createdBy: admin.id });
    const before = await workspaceState(server, workspaceId);
    refused(await gql(Q.updateGroup, { input: { groupId, name: ' ＲＥＶＩＥＷＥＲＳ ' } }, admin.token), 'CONFLICT', 'renaming a group onto a full-width look-alike of another');
    await unchanged(server, workspaceId, before, 'renaming a group onto a look-alike');
  });

  it('refuses a project-level issue tag that looks like a workspace-level one, and the other way round (CONFLICT)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await resource(server, workspaceId, 'PROJECT', 'P', [admin.id]);
    ok(await gql(Q.createIssueTag, { input: { workspaceId, name: 'Blocker' } }, admin.token), 'a workspace-level issue tag');
    ok(await gql(Q.createIssueTag, { input: { workspaceId, name: 'Typo', projectId } }, admin.token), 'a project-level issue tag');
    const before = await workspaceState(server, workspaceId);
    refused(await gql(Q.createIssueTag, { input: { workspaceId, name: 'ＢＬＯＣＫＥＲ', projectId } }, admin.token), 'CONFLICT', 'a project tag that looks like a workspace tag');
    refused(await gql(Q.createIssueTag, { input: { workspaceId, name: ' ｔｙｐｏ' } }, admin.token), 'CONFLICT', 'a workspace tag that looks like a project’s own tag');
    await unchanged(server, workspaceId, before, 'look-alike issue tags across levels');
  });

  it('lets two workspaces, and two projects, each hold one of two look-alike names', async () => {
    const a = await createWorkspace(server);
    const b = await createWorkspace(server);
    ok(await gql(Q.createProjectTag, { input: { workspaceId: a.workspaceId, name: 'labels' } }, a.admin.token), 'a tag in workspace A');
    ok(await gql(Q.createProjectTag, { input: { workspaceId: b.workspaceId, name: 'Ｌａｂｅｌｓ' } }, b.admin.token), 'a look-alike tag in workspace B');
    const p1 = await resource(server, a.workspaceId, 'PROJECT', 'P1', [a.admin.id]);
    const p2 = await resource(server, a.workspaceId, 'PROJECT', 'P2', [a.admin.id]);
    ok(await gql(Q.createIssueTag, { input: { workspaceId: a.workspaceId, name: 'typo', projectId: p1 } }, a.admin.token), 'an issue tag of project 1');
    ok(await gql(Q.createIssueTag, { input: { workspaceId: a.workspaceId, name: 'ＴＹＰＯ', projectId: p2 } }, a.admin.token), 'a look-alike issue tag of project 2');
  });
});

