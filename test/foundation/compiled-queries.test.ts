import { addMember, createWorkspace, type Person } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { assignGroup, assignUser, createGroup, createResource, ok } from '../resources/fixtures';

/**
 * Queries run on graphql-js the first time a document is seen and compiled (graphql-jit) from
 * the second: both must answer alike, data, status and errors. Each document below is sent
 * twice to a server set to compile at the second sight, and the answers compared; the server's
 * counts prove the second answer came from compiled code.
 *
 * One difference is by design: when sibling non-null fields fail together, graphql-js reports
 * the first failure to settle and compiled code reports each (the data is the same: null up to
 * the nearest nullable parent).
 */
let server: TestServer;
let ws: string;
let admin: Person;
let member: Person;
let tasker: Person;
let projectId: string;
let datasetId: string;

beforeAll(async () => {
  // Compares whole lists compiled and interpreted: past the default cost limit (docs/api.md, "Limits and costs").
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', GRAPHQL_COMPILE_AFTER: '1', GRAPHQL_MAX_COST: '100000000' });
  ({ workspaceId: ws, admin } = await createWorkspace(server, 'Compiled'));
  member = await addMember(server, ws, 'MEMBER', 'JOINED', 'member@compiled.test');
  tasker = await addMember(server, ws, 'TASKER', 'JOINED', 'tasker@compiled.test');
  await addMember(server, ws, 'MEMBER', 'INVITED', 'invited@compiled.test');
  projectId = await createResource(server, admin, ws, 'PROJECT', 'Cats');
  datasetId = await createResource(server, admin, ws, 'DATASET', 'Pictures');
  await createResource(server, admin, ws, 'ONTOLOGY', 'Animals');
  const groupId = await createGroup(server, admin, ws, { name: 'Labellers', memberIds: [member.id, tasker.id] });
  ok(await assignGroup(server, admin, { groupId, resourceIds: [projectId], role: 'ANNOTATOR' }));
  ok(await assignUser(server, admin, { workspaceId: ws, userId: member.id, resourceIds: [projectId], role: 'REVIEWER' }));
  ok(await assignUser(server, admin, { workspaceId: ws, userId: tasker.id, resourceType: 'DATASET', resourceIds: [datasetId], role: 'USER' }));
  ok(await server.gql(`mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input: { workspaceId: ws, type: 'DATA_IMPORT', datasetId } }, admin.token));
});
afterAll(() => server?.close());

const S1 = `query($ws: ID!) { workspace(id: $ws) { users(first: 100) { nodes { email role groups { name } assignments { role resource { name } } } } } }`;

interface Case {
  name: string;
  query: string;
  variables?: (ids: { ws: string; projectId: string; datasetId: string }) => Record<string, unknown>;
  as?: () => Person;
  /** Errors of the compiled answer, where sibling fields fail together (see above). */
  compiledErrors?: number;
  /** The answer must be all data, no error (else two equal failures would pass). */
  clean?: true;
}

const cases: Case[] = [
  { clean: true, name: 'the users page with groups and assignments (bench S1)', query: S1 },
  {
    clean: true, name: 'abstract resources: __typename, inline fragments, a named fragment, aliases',
    query: `fragment R on Resource { id name type createdAt }
      query($ws: ID!) { workspace(id: $ws) { everyone: users { nodes { id name email status invitedAt joinedAt declinedAt internal
        assignments { role via { id name } resource { __typename ...R ... on Project { tags { name } } ... on Dataset { id } } } } totalCount } } }`,
  },
  {
    clean: true, name: 'variables: filters, a default, @include and @skip',
    query: `query($ws: ID!, $role: WorkspaceRole, $withGroups: Boolean!, $skipEmail: Boolean = true) {
      workspace(id: $ws) { users(filter: { role: $role }) { nodes { id email @skip(if: $skipEmail) groups @include(if: $withGroups) { name } } } } }`,
    variables: ({ ws }) => ({ ws, role: 'MEMBER', withGroups: true }),
  },
  {
    clean: true, name: 'pagination with cursors',
    query: `query($ws: ID!) { workspace(id: $ws) { users(first: 1) { nodes { email } pageInfo { hasNextPage endCursor } totalCount } } }`,
  },
  {
    clean: true, name: 'resources, groups, tags and jobs of a workspace',
    query: `query($ws: ID!) { workspace(id: $ws) { id name viewerRole createdAt internalDomains
      projects { nodes { id name members { user { email } role via { name } } } totalCount }
      datasets { nodes { id name } } ontologies { nodes { id name } }
      groups { id name managers { id } members { email } } projectTags { id name } issueTags { id name }
      jobs(first: 10, filter: { statuses: [PROCESSING] }) { nodes { id type status progress user { email } dataset { name } } totalCount } } }`,
  },
  {
    // The compiler writes JavaScript from the document: literals must stay data.
    clean: true, name: 'string literals full of quotes, backslashes, backticks and ${...} in arguments',
    query: `query($ws: ID!) { workspace(id: $ws) {
      a: users(filter: { search: ${JSON.stringify('\\"); process.exit(1); //')} }) { totalCount }
      b: users(filter: { search: ${JSON.stringify("`${process.exit(1)}` \\u0027 '; }")} }) { totalCount }
      c: users(filter: { search: "member" }) { nodes { email } } } }`,
  },
  { name: 'a missing object on a nullable field', query: `query($p: ID!, $ws: ID!) { workspace(id: $ws) { project(id: $p) { id } } }`, variables: ({ ws, datasetId }) => ({ ws, p: datasetId }) },
  { name: 'a workspace that is not the viewer’s', query: `query { workspace(id: "00000000-0000-4000-8000-000000000000") { id } }` },
  { name: 'a refusal (FORBIDDEN) of a non-null field, as a TASKER', query: `query($ws: ID!) { workspace(id: $ws) { id auditLog { nodes { action } } } }`, as: () => tasker },
  {
    name: 'two sibling refusals, as a TASKER',
    query: `query($ws: ID!) { workspace(id: $ws) { users { nodes { email } } auditLog { nodes { action } } } }`,
    as: () => tasker,
    compiledErrors: 2,
  },
  { clean: true, name: 'what a MEMBER sees of people and resources', query: S1.replace('query(', 'query AsMember('), as: () => member },
  { clean: true, name: 'the viewer', query: `{ viewer { id email name workspaces { id name viewerRole } } __typename }` },
  { name: 'a bad id', query: `query($ws: ID!) { workspace(id: $ws) { id } }`, variables: () => ({ ws: 'not-a-uuid' }) },
  { name: 'a variable of the wrong type', query: `query($ws: ID!, $n: Int) { workspace(id: $ws) { users(first: $n) { totalCount } } }`, variables: ({ ws }) => ({ ws, n: 1.5 }) },
  { name: 'a bad page size', query: `query($ws: ID!) { workspace(id: $ws) { users(first: -1) { totalCount } } }` },
];

describe('a query compiled at its second sight answers as graphql-js did at its first', () => {
  it.each(cases)('$name', async ({ query, variables, as, compiledErrors, clean }) => {
    const token = (as?.() ?? admin).token;
    const vars = variables?.({ ws, projectId, datasetId }) ?? { ws };
    const before = server.service.app.executions();
    const first = await server.gql(query, vars, token);
    const second = await server.gql(query, vars, token);
    const after = server.service.app.executions();
    expect(first.data !== undefined || first.errors !== undefined).toBe(true);
    if (clean) expect(first.errors).toBeUndefined();
    expect({ status: second.status, data: second.data }).toEqual({ status: first.status, data: first.data });
    if (compiledErrors === undefined) {
      expect(second.errors).toEqual(first.errors);
    } else {
      expect(first.errors).toHaveLength(1);
      expect(second.errors).toHaveLength(compiledErrors);
      expect(second.errors).toEqual(expect.arrayContaining(first.errors!));
    }
    expect(after.interpreted - before.interpreted).toBe(1);
    // Variables refused by graphql-js's check (HTTP 400) never reach compiled code.
    expect(after.compiled - before.compiled).toBe(first.status === 400 ? 0 : 1);
  });
});

it('runs mutations on graphql-js, never compiled', async () => {
  const before = server.service.app.executions();
  for (let i = 0; i < 3; i++) {
    ok(await server.gql(`mutation($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { name } }`, { input: { workspaceId: ws, name: `Compiled ${i}` } }, admin.token));
  }
  const after = server.service.app.executions();
  expect(after.interpreted - before.interpreted).toBe(3);
  expect(after.compiled - before.compiled).toBe(0);
});

it('with GRAPHQL_COMPILE_AFTER=0 compiles at first sight, and every sight after is compiled', async () => {
  const eager = await startTestServer({ RATE_LIMIT_POINTS: '0', GRAPHQL_COMPILE_AFTER: '0', GRAPHQL_MAX_COST: '100000000' });
  try {
    const { workspaceId, admin: boss } = await createWorkspace(eager, 'Eager');
    const before = eager.service.app.executions();
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(ok(await eager.gql(S1, { ws: workspaceId }, boss.token)));
    const after = eager.service.app.executions();
    expect(after.compiled - before.compiled).toBe(3);
    expect(after.interpreted - before.interpreted).toBe(0);
    expect(answers[0].workspace.users.nodes).toEqual([{ email: boss.email, role: 'ADMIN', groups: [], assignments: [] }]);
  } finally {
    await eager.close();
  }
});
