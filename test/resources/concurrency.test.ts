import { addMember, createWorkspace, type Person } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { assignUser, createResource, ok, unassignUser } from './fixtures';

/**
 * Every resource keeps a direct ADMIN even when several requests take ADMINs away at the same
 * moment. Only PostgreSQL runs transactions concurrently (PGlite is one serialised session),
 * so this test needs TEST_DATABASE_URL; it is skipped without it.
 */
const onPostgres = process.env.TEST_DATABASE_URL ? describe : describe.skip;

let server: TestServer;
beforeAll(async () => {
  if (process.env.TEST_DATABASE_URL) server = await startTestServer();
});
afterAll(() => server?.close());

onPostgres('concurrent unassignments and demotions (PostgreSQL)', () => {
  it('leave every resource with exactly one direct ADMIN when all of its ADMINs are taken away at once', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const ADMINS = 4;
    const RESOURCES = 6;
    const people: Person[] = [];
    for (let i = 0; i < ADMINS; i++) people.push(await addMember(server, workspaceId, 'MEMBER'));
    const resources: string[] = [];
    for (let i = 0; i < RESOURCES; i++) {
      const id = await createResource(server, people[0], workspaceId);
      ok(await assignUser(server, admin, { workspaceId, userId: people[1].id, resourceIds: [id], role: 'ADMIN' }));
      ok(await assignUser(server, admin, { workspaceId, userId: people[2].id, resourceIds: [id], role: 'ADMIN' }));
      ok(await assignUser(server, admin, { workspaceId, userId: people[3].id, resourceIds: [id], role: 'ADMIN' }));
      resources.push(id);
    }

    // For every resource, every ADMIN is unassigned or demoted, all requests in flight together.
    const requests = resources.flatMap((resourceId) =>
      people.map((person, i) =>
        i % 2 === 0
          ? unassignUser(server, admin, { workspaceId, userId: person.id, resourceId })
          : assignUser(server, admin, { workspaceId, userId: person.id, resourceIds: [resourceId], role: 'REVIEWER' }),
      ),
    );
    const results = await Promise.all(requests);
    const codes = results.map((r) => (r.errors ? errorCode(r) : 'ok'));
    expect(codes.filter((c) => c !== 'ok' && c !== 'INVARIANT')).toEqual([]);
    expect(codes.filter((c) => c === 'INVARIANT')).toHaveLength(RESOURCES);

    const rows = await server.db.query(
      `SELECT r.id, count(ur.user_id)::int AS admins FROM resources r
         LEFT JOIN resource_user_roles ur ON ur.resource_id = r.id AND ur.role = 'ADMIN'
        WHERE r.id = ANY($1::uuid[]) GROUP BY r.id`,
      [resources],
    );
    expect(rows.map((r: any) => r.admins)).toEqual(resources.map(() => 1));
  });

  it('serialises bulk demotions that overlap in opposite orders without deadlock or a resource left without ADMIN', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const [a, b] = [await addMember(server, workspaceId, 'MEMBER'), await addMember(server, workspaceId, 'MEMBER')];
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = await createResource(server, a, workspaceId);
      ok(await assignUser(server, admin, { workspaceId, userId: b.id, resourceIds: [id], role: 'ADMIN' }));
      ids.push(id);
    }
    const rounds = await Promise.all([
      assignUser(server, admin, { workspaceId, userId: a.id, resourceIds: ids, role: 'ANNOTATOR' }),
      assignUser(server, admin, { workspaceId, userId: b.id, resourceIds: [...ids].reverse(), role: 'ANNOTATOR' }),
    ]);
    expect(rounds.map((r) => (r.errors ? errorCode(r) : 'ok')).sort()).toEqual(['INVARIANT', 'ok']);
    const [row] = await server.db.query(
      `SELECT count(*)::int AS n FROM resources r WHERE r.id = ANY($1::uuid[])
          AND NOT EXISTS (SELECT 1 FROM resource_user_roles ur WHERE ur.resource_id = r.id AND ur.role = 'ADMIN')`,
      [ids],
    );
    expect(row.n).toBe(0);
  });
});

