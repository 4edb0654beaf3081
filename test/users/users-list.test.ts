import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { INVITE, REMOVE, statementsOf, USER, USERS } from './users.support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' }); // pages through 1,001 people, 100 at a time
});
afterAll(() => server.close());

const tag = () => randomUUID().slice(0, 6);

/** A workspace with named people, made through sign-in (names come from the token) and direct memberships. */
async function peopleWorkspace() {
  const t = tag();
  const { workspaceId, admin } = await createWorkspace(server, 'People', `boss-${t}@acme.test`);
  const add = async (local: string, name: string | undefined, role: any, status: any = 'JOINED', domain = 'acme.test') => {
    const person = await signIn(server, `${local}-${t}@${domain}`, name);
    await server.db.query(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) VALUES ($1, $2, $3, $4, now(), CASE WHEN $4 = 'JOINED' THEN now() END)`,
      [workspaceId, person.id, role, status],
    );
    return person;
  };
  const ada = await add('ada', 'Ada Lovelace', 'MEMBER');
  const grace = await add('grace', 'Grace Hopper', 'TASKER', 'INVITED', 'navy.test');
  const percent = await add('pct', '100% Done', 'TASKER');
  const under = await add('a_b', 'Under Score', 'WORKFORCE_MANAGER', 'DECLINED');
  const plain = await add('axb', 'Plain Name', 'MEMBER');
  const slash = await add('slash', 'Back\\Slash', 'MEMBER', 'JOINED', 'other.test');
  return { workspaceId, admin, ada, grace, percent, under, plain, slash, t };
}

const ids = (res: any) => res.data.workspace.users.nodes.map((u: any) => u.id);

describe('workspace.users', () => {
  it('lists everyone, invited, declined or joined, ordered by email, with totalCount', async () => {
    const w = await peopleWorkspace();
    const res = await server.gql(USERS, { w: w.workspaceId }, w.admin.token);
    expect(res.errors).toBeUndefined();
    const users = res.data.workspace.users;
    expect(users.totalCount).toBe(7);
    const emails = users.nodes.map((u: any) => u.email);
    expect(emails).toEqual([...emails].sort());
    expect(users.nodes.find((u: any) => u.id === w.grace.id)).toMatchObject({ status: 'INVITED', role: 'TASKER', name: 'Grace Hopper', joinedAt: null });
    expect(users.pageInfo.hasNextPage).toBe(false);
  });

  it.each([
    ['part of an email, any case', 'GRACE-', ['grace']],
    ['part of a name, any case', 'lovel', ['ada']],
    ['a domain', 'NAVY.test', ['grace']],
    ['a literal %', '%', ['percent']],
    ['a literal _', '_', ['under']],
    ['a literal backslash', '\\', ['slash']],
    ['text that matches nobody', 'zzz-nobody', []],
  ])('searches %s', async (_name, search, expected) => {
    const w: any = await peopleWorkspace();
    const res = await server.gql(USERS, { w: w.workspaceId, filter: { search } }, w.admin.token);
    expect(res.errors).toBeUndefined();
    expect(ids(res).sort()).toEqual(expected.map((k) => w[k].id).sort());
    expect(res.data.workspace.users.totalCount).toBe(expected.length);
  });

  it('treats a blank search as no search', async () => {
    const w = await peopleWorkspace();
    const res = await server.gql(USERS, { w: w.workspaceId, filter: { search: '   ' } }, w.admin.token);
    expect(res.data.workspace.users.totalCount).toBe(7);
  });

  it('filters by role and by status, alone and together with a search', async () => {
    const w = await peopleWorkspace();
    const q = (filter: any) => server.gql(USERS, { w: w.workspaceId, filter }, w.admin.token);
    expect(ids(await q({ role: 'TASKER' })).sort()).toEqual([w.grace.id, w.percent.id].sort());
    expect(ids(await q({ status: 'DECLINED' }))).toEqual([w.under.id]);
    expect(ids(await q({ role: 'TASKER', status: 'JOINED' }))).toEqual([w.percent.id]);
    expect(ids(await q({ role: 'MEMBER', search: 'name' }))).toEqual([w.plain.id]);
    const admins = await q({ role: 'ADMIN' });
    expect(ids(admins)).toEqual([w.admin.id]);
    expect(admins.data.workspace.users.totalCount).toBe(1);
  });

  it('pages with cursors: every person once, in order, and a new person sorting first does not shift the pages', async () => {
    const w = await peopleWorkspace();
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const res: any = await server.gql(USERS, { w: w.workspaceId, first: 3, after }, w.admin.token);
      expect(res.errors).toBeUndefined();
      const page = res.data.workspace.users;
      expect(page.totalCount).toBe(7 + (pages > 0 ? 1 : 0));
      seen.push(...page.nodes.map((u: any) => u.email));
      pages += 1;
      if (pages === 1) {
        // Someone whose email sorts before every other is invited between two pages.
        const invite = await server.gql(INVITE, { input: { workspaceId: w.workspaceId, emails: [`0000-${w.t}@acme.test`], role: 'MEMBER' } }, w.admin.token);
        expect(invite.errors).toBeUndefined();
      }
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(7);
    expect(new Set(seen).size).toBe(7);
    expect(seen).toEqual([...seen].sort());
  });

  it('answers first: 0 with no nodes but the count', async () => {
    const w = await peopleWorkspace();
    const res = await server.gql(USERS, { w: w.workspaceId, first: 0 }, w.admin.token);
    expect(res.data.workspace.users).toMatchObject({ nodes: [], totalCount: 7, pageInfo: { hasNextPage: true } });
  });

  it.each([
    ['first over 100', { first: 101 }, 'first'],
    ['a negative first', { first: -1 }, 'first'],
    ['a cursor that is not ours', { after: 'bm90LWEtY3Vyc29y' }, 'after'],
    ['a cursor of the wrong shape', { after: Buffer.from(JSON.stringify(['x', 'not-a-uuid'])).toString('base64url') }, 'after'],
    ['a search of 201 characters', { filter: { search: 'x'.repeat(201) } }, 'filter.search'],
  ])('refuses %s with BAD_USER_INPUT', async (_name, vars, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(USERS, { w: workspaceId, ...vars }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
  });

  it('accepts first: 100', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(USERS, { w: workspaceId, first: 100 }, admin.token);
    expect(res.data.workspace.users.totalCount).toBe(1);
  });

  it('leaves removed people out, nor counts them, unless asked for by status; user(id) shows them as REMOVED', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const gone = await addMember(server, workspaceId, 'MEMBER');
    expect((await server.gql(REMOVE, { input: { workspaceId, userId: gone.id } }, admin.token)).errors).toBeUndefined();
    const res = await server.gql(USERS, { w: workspaceId }, admin.token);
    expect(ids(res)).toEqual([admin.id]);
    expect(res.data.workspace.users.totalCount).toBe(1);
    const removed = await server.gql(USERS, { w: workspaceId, filter: { status: 'REMOVED' } }, admin.token);
    expect(ids(removed)).toEqual([gone.id]);
    expect(removed.data.workspace.users.totalCount).toBe(1);
    const one = await server.gql(`query($w: ID!, $id: ID!) { workspace(id: $w) { user(id: $id) { id status removedAt } } }`, { w: workspaceId, id: gone.id }, admin.token);
    expect(one.data.workspace.user).toMatchObject({ id: gone.id, status: 'REMOVED', removedAt: expect.any(String) });
  });

  it("marks people internal by the workspace's internal domains, and follows a change of them", async () => {
    const w = await peopleWorkspace();
    const internal = async () => {
      const res = await server.gql(USERS, { w: w.workspaceId, first: 100 }, w.admin.token);
      return Object.fromEntries(res.data.workspace.users.nodes.map((u: any) => [u.id, u.internal]));
    };
    let flags = await internal();
    expect(flags[w.ada.id]).toBe(true); // acme.test: the creator's domain
    expect(flags[w.grace.id]).toBe(false);
    expect(flags[w.slash.id]).toBe(false);
    const update = await server.gql(
      `mutation($i: UpdateWorkspaceInput!) { updateWorkspace(input: $i) { id } }`,
      { i: { workspaceId: w.workspaceId, internalDomains: ['navy.test'] } },
      w.admin.token,
    );
    expect(update.errors).toBeUndefined();
    flags = await internal();
    expect(flags[w.ada.id]).toBe(false);
    expect(flags[w.grace.id]).toBe(true);
  });
});

describe('workspace.user(id)', () => {
  it('finds a person of the workspace, and is null for an unknown id, a malformed id and a person of another workspace', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
    const elsewhere = await createWorkspace(server);
    const q = (id: string) => server.gql(USER, { w: workspaceId, id }, admin.token);
    expect((await q(member.id)).data.workspace.user).toMatchObject({ id: member.id, status: 'INVITED', role: 'MEMBER' });
    for (const id of [randomUUID(), 'not-an-id', elsewhere.admin.id]) {
      const res = await q(id);
      expect(res.errors).toBeUndefined();
      expect(res.data.workspace.user).toBeNull();
    }
  });
});

describe('listing 1,000 users', () => {
  it('takes the same number of SQL statements whatever the page size (groups and assignments included when the schema has them)', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Thousand');
    // 1,000 people, each in 2 of 20 groups, each with 2 direct roles on 50 projects; groups hold roles on projects too.
    await server.db.query(
      `INSERT INTO users (id, email, name) SELECT gen_random_uuid(), 'bulk-' || lpad(i::text, 4, '0') || '-' || $1 || '@bulk.test', 'Bulk ' || i FROM generate_series(1, 1000) AS i`,
      [workspaceId.slice(0, 8)],
    );
    await server.db.query(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at)
       SELECT $1, id, 'MEMBER', 'JOINED', now(), now() FROM users WHERE email LIKE 'bulk-%-' || $2 || '@bulk.test'`,
      [workspaceId, workspaceId.slice(0, 8)],
    );
    await server.db.query(`INSERT INTO groups (id, workspace_id, name, name_key) SELECT gen_random_uuid(), $1, 'Group ' || i, 'group ' || i FROM generate_series(1, 20) AS i`, [workspaceId]);
    await server.db.query(
      `INSERT INTO resources (id, workspace_id, type, name) SELECT gen_random_uuid(), $1, 'PROJECT', 'Project ' || i FROM generate_series(1, 50) AS i`,
      [workspaceId],
    );
    await server.db.query(
      `WITH u AS (SELECT m.user_id, row_number() OVER (ORDER BY m.user_id) AS n FROM memberships m WHERE m.workspace_id = $1 AND m.role = 'MEMBER'),
            g AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM groups WHERE workspace_id = $1)
       INSERT INTO group_members (group_id, user_id)
       SELECT g.id, u.user_id FROM u JOIN g ON g.n = (u.n % 20) + 1 OR g.n = ((u.n + 7) % 20) + 1`,
      [workspaceId],
    );
    await server.db.query(
      `WITH u AS (SELECT m.user_id, row_number() OVER (ORDER BY m.user_id) AS n FROM memberships m WHERE m.workspace_id = $1 AND m.role = 'MEMBER'),
            r AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM resources WHERE workspace_id = $1)
       INSERT INTO resource_user_roles (resource_id, user_id, workspace_id, role)
       SELECT r.id, u.user_id, $1, 'ANNOTATOR' FROM u JOIN r ON r.n = (u.n % 50) + 1 OR r.n = ((u.n + 13) % 50) + 1`,
      [workspaceId],
    );
    await server.db.query(
      `WITH g AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM groups WHERE workspace_id = $1),
            r AS (SELECT id, row_number() OVER (ORDER BY id) AS n FROM resources WHERE workspace_id = $1)
       INSERT INTO resource_group_roles (resource_id, group_id, workspace_id, role)
       SELECT r.id, g.id, $1, 'REVIEWER' FROM g JOIN r ON r.n % 20 = g.n % 20`,
      [workspaceId],
    );

    const type = await server.gql(`{ __type(name: "WorkspaceUser") { fields { name } } }`, {}, admin.token);
    const fields: string[] = type.data?.__type?.fields?.map((f: any) => f.name) ?? [];
    const extra = [
      fields.includes('groups') ? 'groups { id name }' : '',
      // Each person holds at most 8 roles here; `first` keeps a page of 100 within the cost limit.
      fields.includes('assignments') ? 'assignments(first: 10) { role resource { id name } via { id } }' : '',
    ].join(' ');
    const query = `query($w: ID!, $first: Int, $after: String) { workspace(id: $w) { users(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id email name role status internal ${extra} } } } }`;

    const counts: number[] = [];
    for (const first of [10, 100]) {
      let after: string | null = null;
      const statements = await statementsOf(server, async () => {
        const res: any = await server.gql(query, { w: workspaceId, first, after }, admin.token);
        expect(res.errors).toBeUndefined();
        expect(res.data.workspace.users.nodes).toHaveLength(first);
        expect(res.data.workspace.users.totalCount).toBe(1001);
        after = res.data.workspace.users.pageInfo.endCursor;
      });
      counts.push(statements.length);
    }
    // Paging through all 1,001 people 100 at a time costs the same per page.
    let after: string | null = null;
    let seen = 0;
    for (let page = 0; page < 11; page++) {
      const statements = await statementsOf(server, async () => {
        const res: any = await server.gql(query, { w: workspaceId, first: 100, after }, admin.token);
        seen += res.data.workspace.users.nodes.length;
        after = res.data.workspace.users.pageInfo.endCursor;
      });
      counts.push(statements.length);
    }
    expect(seen).toBe(1001);
    expect(new Set(counts).size).toBe(1);
    // Users alone: the viewer's membership, the page, the count; groups and assignments add their batched loaders.
    expect(counts[0]).toBeLessThanOrEqual(3 + (extra.trim() ? 6 : 0));
    process.stdout.write(`\n[users list] SQL statements per request, any page size: ${counts[0]} (fields: ${extra.trim() || 'users only'})\n`);
  });
});
