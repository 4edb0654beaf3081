import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { CAPS, type CapName } from '../../src/server/limits/caps';
import { createWorkspace, signIn, type Person } from '../support/fixtures';
import { startTestServer, type GqlResult, type TestServer } from '../support/harness';

/**
 * The product caps the cost estimate multiplies by (src/server/limits/caps.ts): a write that
 * would pass one is refused with INVARIANT, `extensions.cap` naming it and `extensions.max`
 * its number, and changes nothing. Each case fills a list to its cap with SQL, then asks once more.
 */

let server: TestServer;
let workspaceId: string;
let admin: Person;
let people: string[];
const q = (sql: string, params: unknown[] = []) => server.db.query(sql, params);

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
  ({ workspaceId, admin } = await createWorkspace(server, 'Caps', `admin-${randomUUID().slice(0, 6)}@caps.example`));
  people = Array.from({ length: 1000 }, () => randomUUID());
  await q(`INSERT INTO users (id, email) SELECT id, 'member-' || n || '@caps.example' FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [people]);
  await q(`INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) SELECT $1, id, 'MEMBER', 'JOINED', now(), now() FROM unnest($2::uuid[]) AS id`, [
    workspaceId,
    people,
  ]);
}, 60_000);
afterAll(() => server?.close());

/** Groups made with SQL, `members` in each. */
async function groups(n: number, members: string[] = []): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await q(`INSERT INTO groups (id, workspace_id, name, name_key) SELECT id, $2, 'g-' || id, 'g-' || id FROM unnest($1::uuid[]) AS id`, [ids, workspaceId]);
  await q(`INSERT INTO group_members (group_id, user_id) SELECT g, u FROM unnest($1::uuid[]) AS g CROSS JOIN unnest($2::uuid[]) AS u`, [ids, members]);
  return ids;
}

/** Projects made with SQL, the admin their direct ADMIN. */
async function projects(n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await q(`INSERT INTO resources (id, workspace_id, type, name) SELECT id, $2, 'PROJECT', 'p-' || id FROM unnest($1::uuid[]) AS id`, [ids, workspaceId]);
  await q(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) SELECT id, $2, $3, 'ADMIN' FROM unnest($1::uuid[]) AS id`, [ids, admin.id, workspaceId]);
  return ids;
}

const count = async (sql: string, params: unknown[]) => Number((await q(sql, params))[0].n);

function expectCap(res: GqlResult, cap: CapName) {
  expect(res.data ?? null).toBeNull();
  expect(res.errors?.[0].extensions).toMatchObject({ code: 'INVARIANT', cap, max: CAPS[cap] });
  expect(res.errors?.[0].message).toContain(`at most ${CAPS[cap]}`);
}

const ADD_MEMBERS = `mutation($input: GroupUsersInput!) { addGroupMembers(input: $input) { id } }`;
const CREATE_GROUP = `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`;
const ASSIGN_USER = `mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`;
const ASSIGN_GROUP = `mutation($input: AssignGroupInput!) { assignGroup(input: $input) { role } }`;

it('a group holds at most 1000 members', async () => {
  const [full] = await groups(1, people);
  const res = await server.gql(ADD_MEMBERS, { input: { groupId: full, userIds: [admin.id] } }, admin.token);
  expectCap(res, 'groupMembers');
  expect(res.errors![0].extensions).toMatchObject({ groupId: full });
  expect(await count(`SELECT count(*) AS n FROM group_members WHERE group_id = $1`, [full])).toBe(1000);
});

it('a person belongs to or manages at most 50 groups', async () => {
  const someone = people[1];
  const existing = await groups(CAPS.personGroups, [someone]);
  const before = await count(`SELECT count(*) AS n FROM groups WHERE workspace_id = $1`, [workspaceId]);
  const res = await server.gql(CREATE_GROUP, { input: { workspaceId, name: `one more ${randomUUID()}`, memberIds: [someone] } }, admin.token);
  expectCap(res, 'personGroups');
  expect(res.errors![0].extensions!.userIds).toEqual([someone]);
  expect(await count(`SELECT count(*) AS n FROM groups WHERE workspace_id = $1`, [workspaceId])).toBe(before);
  await q(`DELETE FROM groups WHERE id = ANY($1::uuid[])`, [existing]);
});

it('a workspace has at most 500 groups', async () => {
  const have = await count(`SELECT count(*) AS n FROM groups WHERE workspace_id = $1`, [workspaceId]);
  const filler = await groups(CAPS.workspaceGroups - have);
  const res = await server.gql(CREATE_GROUP, { input: { workspaceId, name: `past the cap ${randomUUID()}` } }, admin.token);
  expectCap(res, 'workspaceGroups');
  expect(await count(`SELECT count(*) AS n FROM groups WHERE workspace_id = $1`, [workspaceId])).toBe(CAPS.workspaceGroups);
  await q(`DELETE FROM groups WHERE id = ANY($1::uuid[])`, [filler]);
});

it('a person holds at most 1000 roles, and a resource has at most 2000 members (through groups too)', async () => {
  const someone = people[2];
  const many = await projects(CAPS.personRoles + 1);
  await q(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) SELECT id, $2, $3, 'ANNOTATOR' FROM unnest($1::uuid[]) AS id`, [
    many.slice(0, CAPS.personRoles),
    someone,
    workspaceId,
  ]);
  const assign = (userId: string, resourceId: string) =>
    server.gql(ASSIGN_USER, { input: { workspaceId, userId, resourceType: 'PROJECT', resourceIds: [resourceId], role: 'ANNOTATOR' } }, admin.token);
  const tooMany = await assign(someone, many[CAPS.personRoles]);
  expectCap(tooMany, 'personRoles');
  expect(tooMany.errors![0].extensions!.userIds).toEqual([someone]);

  // 1000 members through a group, and 999 people and the admin directly: 2000. One more is refused.
  const [project] = await projects(1);
  const [everyone] = await groups(1, people);
  await q(`INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role) VALUES ($1, $2, $3, 'ANNOTATOR')`, [project, everyone, workspaceId]);
  await q(`INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role) SELECT $1, u, $2, 'ANNOTATOR' FROM unnest($3::uuid[]) AS u`, [
    project,
    workspaceId,
    people.slice(1, 1000),
  ]);
  const crowded = await assign(people[0], project);
  expectCap(crowded, 'resourceMembers');
  expect(crowded.errors![0].extensions!.resourceIds).toEqual([project]);
  expect(await count(`SELECT count(*) AS n FROM resource_user_roles WHERE resource_id = $1 AND user_id = $2`, [project, people[0]])).toBe(0);
  await q(`DELETE FROM groups WHERE id = $1`, [everyone]);
});

it('a group holds at most 200 roles', async () => {
  const [group] = await groups(1);
  const many = await projects(CAPS.groupRoles + 1);
  await q(`INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role) SELECT id, $2, $3, 'ANNOTATOR' FROM unnest($1::uuid[]) AS id`, [
    many.slice(0, CAPS.groupRoles),
    group,
    workspaceId,
  ]);
  const res = await server.gql(ASSIGN_GROUP, { input: { groupId: group, resourceType: 'PROJECT', resourceIds: [many[CAPS.groupRoles]], role: 'ANNOTATOR' } }, admin.token);
  expectCap(res, 'groupRoles');
});

it('a person keeps at most 100 live API keys in a workspace, and a workspace 200 project tags', async () => {
  await q(`INSERT INTO api_keys (id, workspace_id, user_id, name, secret_hash) SELECT gen_random_uuid(), $1, $2, 'k' || n, md5(random()::text) FROM generate_series(1, $3::int) AS n`, [
    workspaceId,
    admin.id,
    CAPS.apiKeys,
  ]);
  const key = await server.gql(`mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { workspaceId, name: 'one more' } }, admin.token);
  expectCap(key, 'apiKeys');
  await q(`INSERT INTO project_tags (id, workspace_id, name, name_key) SELECT gen_random_uuid(), $1, 't' || n, 't' || n FROM generate_series(1, $2::int) AS n`, [workspaceId, CAPS.projectTags]);
  const tag = await server.gql(`mutation($input: CreateTagInput!) { createProjectTag(input: $input) { id } }`, { input: { workspaceId, name: 'one more' } }, admin.token);
  expectCap(tag, 'projectTags');
});

it('a person joins at most 1000 workspaces', async () => {
  const someone = await signIn(server, `joiner-${randomUUID().slice(0, 6)}@caps.example`);
  const ids = Array.from({ length: CAPS.personWorkspaces }, () => randomUUID());
  await q(`INSERT INTO workspaces (id, name, internal_domains) SELECT id, 'w', ARRAY[]::text[] FROM unnest($1::uuid[]) AS id`, [ids]);
  await q(`INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) SELECT id, $2, 'ADMIN', 'JOINED', now(), now() FROM unnest($1::uuid[]) AS id`, [ids, someone.id]);
  const res = await server.gql(`mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }`, { input: { name: 'one more' } }, someone.token);
  expectCap(res, 'personWorkspaces');
});
