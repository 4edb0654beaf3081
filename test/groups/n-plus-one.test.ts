import { randomUUID } from 'node:crypto';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { countQueries, type QueryCounter } from '../support/query-counter';
import { ok } from '../resources/fixtures';

/**
 * No N+1: listing 1,000 people with their groups and their assignments (direct and through
 * groups, with the group named) runs the same number of SQL statements per page whatever the
 * page size. The data is written straight to the database: this test is about reading it.
 */
let server: TestServer;
let counter: QueryCounter;
beforeAll(async () => {
  // Counts statements of whole lists (every group's managers, every role): not what the cost limit is about.
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '100000000' });
  counter = countQueries(server.db);
});
afterAll(async () => {
  counter.stop();
  await server.close();
});

const PEOPLE = 1000;
const GROUPS = 40;
const RESOURCES = 60;

const LIST = `query($ws: ID!, $first: Int, $after: String) {
  workspace(id: $ws) {
    users(first: $first, after: $after) {
      nodes {
        id
        groups { id name managers { id } }
        assignments { resource { __typename id name } role via { id name } }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;

async function seed() {
  const { workspaceId, admin } = await createWorkspace(server, 'Big', `admin-${randomUUID().slice(0, 6)}@acme.test`);
  const userIds = Array.from({ length: PEOPLE }, () => randomUUID());
  await server.db.query(`INSERT INTO users (id, email) SELECT id, 'p' || n || '@acme.test' FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [userIds]);
  await server.db.query(
    `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at)
     SELECT $1, id, CASE WHEN n % 3 = 0 THEN 'TASKER' ELSE 'MEMBER' END, 'JOINED', now(), now() FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [workspaceId, userIds],
  );
  const groupIds = Array.from({ length: GROUPS }, () => randomUUID());
  await server.db.query(`INSERT INTO groups (id, workspace_id, name, name_key) SELECT id, $2, 'Group ' || n, 'group ' || n FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`, [groupIds, workspaceId]);
  // Each person in two groups; every group has a manager.
  await server.db.query(
    `INSERT INTO group_members (group_id, user_id)
     SELECT g.id, u.id FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, n)
       JOIN unnest($2::uuid[]) WITH ORDINALITY AS g(id, k) ON g.k - 1 = u.n % $3 OR g.k - 1 = (u.n * 7 + 1) % $3`,
    [userIds, groupIds, GROUPS],
  );
  await server.db.query(`INSERT INTO group_managers (group_id, user_id) SELECT g, $2 FROM unnest($1::uuid[]) AS g`, [groupIds, userIds[0]]);
  const resourceIds = Array.from({ length: RESOURCES }, () => randomUUID());
  await server.db.query(
    `INSERT INTO resources (id, workspace_id, type, name) SELECT id, $2, (ARRAY['PROJECT','DATASET','ONTOLOGY'])[n % 3 + 1], 'R' || n
       FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [resourceIds, workspaceId],
  );
  // Each resource: an ADMIN, and every group a role on three resources.
  await server.db.query(
    `INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role)
     SELECT r.id, u.id, $3, CASE WHEN u.n % 2 = 0 THEN 'ADMIN' ELSE (CASE WHEN r.n % 3 = 0 THEN 'ANNOTATOR' ELSE 'USER' END) END
       FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n) JOIN unnest($2::uuid[]) WITH ORDINALITY AS u(id, n) ON u.n % $4 = r.n % $4 OR u.n = 1`,
    [resourceIds, userIds, workspaceId, RESOURCES],
  );
  await server.db.query(
    `INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role)
     SELECT r.id, g.id, $3, CASE WHEN r.n % 3 = 0 THEN 'REVIEWER' ELSE 'USER' END
       FROM unnest($1::uuid[]) WITH ORDINALITY AS r(id, n) JOIN unnest($2::uuid[]) WITH ORDINALITY AS g(id, k) ON r.n % $4 = g.k % $4`,
    [resourceIds, groupIds, workspaceId, GROUPS],
  );
  return { workspaceId, admin };
}

it('lists 1,000 people with groups and assignments in pages of 100, with a number of statements that does not grow with the page', async () => {
  const { workspaceId, admin } = await seed();

  // Every page of 100, through the whole list.
  const perPage: number[] = [];
  const seen = new Set<string>();
  let after: string | null = null;
  let assignments = 0;
  let groups = 0;
  for (;;) {
    let res: any;
    perPage.push(await counter.during(async () => (res = await server.gql(LIST, { ws: workspaceId, first: 100, after }, admin.token))));
    const page = ok(res).workspace.users;
    for (const node of page.nodes) {
      seen.add(node.id);
      groups += node.groups.length;
      assignments += node.assignments.length;
    }
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen.size).toBe(PEOPLE + 1); // and the ADMIN who made the workspace
  const [dbGroups] = await server.db.query(`SELECT (SELECT count(*) FROM group_members gm JOIN groups g ON g.id = gm.group_id WHERE g.workspace_id = $1)
      + (SELECT count(*) FROM group_managers gm JOIN groups g ON g.id = gm.group_id WHERE g.workspace_id = $1 AND NOT EXISTS
           (SELECT 1 FROM group_members x WHERE x.group_id = gm.group_id AND x.user_id = gm.user_id)) AS n`, [workspaceId]);
  expect(groups).toBe(Number(dbGroups.n));
  const [dbAssignments] = await server.db.query(
    `SELECT (SELECT count(*) FROM resource_user_roles WHERE workspace_id = $1)
          + (SELECT count(*) FROM resource_group_roles gr JOIN group_members gm ON gm.group_id = gr.group_id WHERE gr.workspace_id = $1) AS n`,
    [workspaceId],
  );
  expect(assignments).toBe(Number(dbAssignments.n));
  expect(new Set(perPage).size).toBe(1);

  // The same count for pages of 10, 50 and 100 (the first page starts with the ADMIN, who has
  // no groups: a page of 1 would load nothing beyond the list itself).
  const bySize: Record<number, number> = {};
  for (const first of [10, 50, 100]) {
    bySize[first] = await counter.during(() => server.gql(LIST, { ws: workspaceId, first }, admin.token));
  }
  expect(new Set(Object.values(bySize)).size).toBe(1);
  // Reported to the lead: statements per page.
  console.log(`SQL statements per page of users with groups and assignments: ${perPage[0]} (first page of 10/50/100: ${JSON.stringify(bySize)})`);
});
