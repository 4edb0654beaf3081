import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn, type Person } from '../support/fixtures';
import { errorCode, startTestServer, type GqlResult, type TestServer } from '../support/harness';

/** Workspace.users under every order, the internal and group filters, and cursors that stay true while rows change. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const LIST = `query($w: ID!, $filter: UserFilter, $orderBy: UserOrder, $first: Int, $after: String) {
  workspace(id: $w) { users(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id email name role status invitedAt joinedAt internal } } } }`;

type Row = { id: string; email: string; name: string | null; role: string; status: string; invitedAt: string; joinedAt: string | null; internal: boolean };

const FIELDS = ['NAME', 'EMAIL', 'ROLE', 'STATUS', 'INVITED_AT', 'JOINED_AT'] as const;
const ROLE_ORDER = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'];
const STATUS_ORDER = ['INVITED', 'DECLINED', 'JOINED', 'REMOVED'];

/**
 * Ten people with ties in every order (equal names, roles, statuses and invitation times), null
 * keys (no name, not joined) and times a microsecond apart (a cursor must keep them exact).
 */
async function orderedWorkspace() {
  const t = randomUUID().slice(0, 6);
  const { workspaceId, admin } = await createWorkspace(server, 'Ordered', `boss-${t}@inside.test`);
  await server.db.query(`UPDATE workspaces SET internal_domains = ARRAY['inside.test'] WHERE id = $1`, [workspaceId]);
  const tick = (micro: number) => `2026-03-01 10:00:00.${String(micro).padStart(6, '0')}+00`;
  // Each person's times to the microsecond (the API's are to the millisecond), comparable as text.
  const times = new Map<string, { invitedAt: string; joinedAt: string | null }>([[admin.email, { invitedAt: tick(0), joinedAt: tick(0) }]]);
  await server.db.query(`UPDATE memberships SET invited_at = $2, joined_at = $2 WHERE workspace_id = $1`, [workspaceId, tick(0)]);
  const people: Person[] = [admin];
  const add = async (local: string, name: string | undefined, role: string, status: string, invitedAt: string, joinedAt: string | null, domain: string) => {
    const person = await signIn(server, `${local}-${t}@${domain}`, name);
    await server.db.query(
      `INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at, declined_at)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $4 = 'DECLINED' THEN now() END)`,
      [workspaceId, person.id, role, status, invitedAt, joinedAt],
    );
    people.push(person);
    times.set(person.email, { invitedAt, joinedAt });
    return person;
  };
  await add('kim', 'Kim', 'MEMBER', 'JOINED', tick(1), tick(5), 'inside.test');
  await add('lee', 'kim', 'TASKER', 'JOINED', tick(2), tick(5), 'outside.test');
  await add('amy', 'amy', 'MEMBER', 'INVITED', tick(2), null, 'inside.test');
  await add('bob', undefined, 'WORKFORCE_MANAGER', 'DECLINED', tick(3), null, 'outside.test');
  await add('cal', undefined, 'TASKER', 'INVITED', tick(3), null, 'inside.test');
  await add('dee', 'zoe', 'ADMIN', 'JOINED', tick(4), tick(6), 'outside.test');
  await add('eve', 'BEA', 'MEMBER', 'JOINED', tick(4), tick(7), 'inside.test');
  await add('fay', 'bea', 'TASKER', 'DECLINED', tick(1), null, 'inside.test');
  await add('gus', 'gus', 'MEMBER', 'JOINED', tick(9), tick(9), 'outside.test');
  return { workspaceId, admin, people, times, t };
}

async function walk(workspaceId: string, token: string, orderBy: unknown, first: number, filter?: unknown): Promise<Row[]> {
  const rows: Row[] = [];
  let after: string | null = null;
  for (let pages = 0; pages < 50; pages++) {
    const res: GqlResult = await server.gql(LIST, { w: workspaceId, filter, orderBy, first, after }, token);
    expect(res.errors).toBeUndefined();
    const users: any = res.data.workspace.users;
    rows.push(...users.nodes);
    if (!users.pageInfo.hasNextPage) return rows;
    after = users.pageInfo.endCursor;
  }
  throw new Error('the walk never ended');
}

/** The order the contract describes, computed here: the key (nulls last either way), then email, then id, all in the direction. */
function expectedOrder(
  rows: Row[],
  field: (typeof FIELDS)[number],
  direction: 'ASC' | 'DESC',
  emailRank: Map<string, number>,
  times: Map<string, { invitedAt: string; joinedAt: string | null }>,
): string[] {
  const key = (r: Row): number | string | null => {
    switch (field) {
      case 'NAME':
        return r.name === null ? null : r.name.toLowerCase();
      case 'EMAIL':
        return emailRank.get(r.email)!;
      case 'ROLE':
        return ROLE_ORDER.indexOf(r.role);
      case 'STATUS':
        return STATUS_ORDER.indexOf(r.status);
      case 'INVITED_AT':
        return times.get(r.email)!.invitedAt;
      case 'JOINED_AT':
        return times.get(r.email)!.joinedAt;
    }
  };
  const sign = direction === 'ASC' ? 1 : -1;
  return [...rows]
    .sort((a, b) => {
      const [ka, kb] = [key(a), key(b)];
      if (ka === null || kb === null) return ka === kb ? sign * (emailRank.get(a.email)! - emailRank.get(b.email)!) : ka === null ? 1 : -1;
      if (ka !== kb) return sign * (ka < kb ? -1 : 1);
      return sign * (emailRank.get(a.email)! - emailRank.get(b.email)!);
    })
    .map((r) => r.email);
}

describe('Workspace.users orderBy', () => {
  it('walks every order and direction page by page, each row once, in the contract order', async () => {
    const w = await orderedWorkspace();
    // Emails sort by the database's collation: the server's EMAIL order is the reference for ties.
    const byEmail = await walk(w.workspaceId, w.admin.token, undefined, 100);
    expect(byEmail).toHaveLength(10);
    const emailRank = new Map(byEmail.map((r, i) => [r.email, i]));
    for (const field of FIELDS) {
      for (const direction of ['ASC', 'DESC'] as const) {
        const whole = await walk(w.workspaceId, w.admin.token, { field, direction }, 100);
        const expected = expectedOrder(whole, field, direction, emailRank, w.times);
        expect({ field, direction, emails: whole.map((r) => r.email) }).toEqual({ field, direction, emails: expected });
        for (const first of [1, 3]) {
          const paged = await walk(w.workspaceId, w.admin.token, { field, direction }, first);
          expect({ field, direction, first, emails: paged.map((r) => r.email) }).toEqual({ field, direction, first, emails: expected });
        }
      }
    }
  });

  it('sorts names without regard to case and puts the nameless last, ascending and descending', async () => {
    const w = await orderedWorkspace();
    const asc = await walk(w.workspaceId, w.admin.token, { field: 'NAME' }, 2);
    const desc = await walk(w.workspaceId, w.admin.token, { field: 'NAME', direction: 'DESC' }, 2);
    const names = (rows: Row[]) => rows.map((r) => r.name);
    // The admin signed in without a name, as did bob and cal.
    expect(names(asc).map((n) => n?.toLowerCase() ?? null)).toEqual(['amy', 'bea', 'bea', 'gus', 'kim', 'kim', 'zoe', null, null, null]);
    expect(names(desc).map((n) => n?.toLowerCase() ?? null)).toEqual(['zoe', 'kim', 'kim', 'gus', 'bea', 'bea', 'amy', null, null, null]);
  });

  it('keeps a walk true while people join and leave: nobody twice, nobody who stayed missed', async () => {
    const w = await orderedWorkspace();
    for (const field of ['NAME', 'JOINED_AT', 'ROLE'] as const) {
      const seen: string[] = [];
      let after: string | null = null;
      let step = 0;
      const before = (await walk(w.workspaceId, w.admin.token, { field }, 100)).map((r) => r.id);
      const gone = new Set<string>();
      for (;;) {
        const res: GqlResult = await server.gql(LIST, { w: w.workspaceId, orderBy: { field }, first: 2, after }, w.admin.token);
        expect(res.errors).toBeUndefined();
        const users: any = res.data.workspace.users;
        seen.push(...users.nodes.map((u: Row) => u.id));
        // Between pages, someone new is invited and someone not yet listed is removed.
        await addMember(server, w.workspaceId, 'MEMBER', 'INVITED');
        const unseen = before.filter((id) => !seen.includes(id) && !gone.has(id) && id !== w.admin.id);
        if (unseen.length > 0 && step++ % 2 === 0) {
          await server.db.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [w.workspaceId, unseen[0]]);
          gone.add(unseen[0]!);
        }
        if (!users.pageInfo.hasNextPage) break;
        after = users.pageInfo.endCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      for (const id of before) if (!gone.has(id)) expect(seen).toContain(id);
      for (const id of gone) await server.db.query(`UPDATE memberships SET status = 'JOINED', removed_at = NULL WHERE workspace_id = $1 AND user_id = $2`, [w.workspaceId, id]);
    }
  });

  it('refuses a cursor of another order or direction, and a forged one, as BAD_USER_INPUT', async () => {
    const w = await orderedWorkspace();
    const first = await server.gql(LIST, { w: w.workspaceId, orderBy: { field: 'JOINED_AT' }, first: 2 }, w.admin.token);
    const cursor = first.data.workspace.users.pageInfo.endCursor;
    for (const orderBy of [{ field: 'NAME' }, { field: 'JOINED_AT', direction: 'DESC' }, null]) {
      const res: GqlResult = await server.gql(LIST, { w: w.workspaceId, orderBy, after: cursor }, w.admin.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    const forge = (key: unknown[]) => Buffer.from(JSON.stringify(key)).toString('base64url');
    for (const bad of [
      forge(['JOINED_AT', 'ASC', 'yesterday', 'a@b.test', randomUUID()]),
      forge(['JOINED_AT', 'ASC', 1.5, 'a@b.test', randomUUID()]),
      forge(['JOINED_AT', 'ASC', 1, 'a@b.test', 'not-a-uuid']),
      forge(['JOINED_AT', 'ASC', 1, null, randomUUID()]),
      forge(['JOINED_AT', 'ASC', 1, 'a@b.test']),
    ]) {
      const res: GqlResult = await server.gql(LIST, { w: w.workspaceId, orderBy: { field: 'JOINED_AT' }, after: bad }, w.admin.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
    const name = await server.gql(LIST, { w: w.workspaceId, orderBy: { field: 'NAME' }, after: forge(['NAME', 'ASC', 7, 'a@b.test', randomUUID()]) }, w.admin.token);
    expect(errorCode(name)).toBe('BAD_USER_INPUT');
  });
});

describe('Workspace.users filter: internal and groupId', () => {
  it('keeps only internal or only external people, with the other filters and any order', async () => {
    const w = await orderedWorkspace();
    const internal = await walk(w.workspaceId, w.admin.token, { field: 'NAME' }, 3, { internal: true });
    const external = await walk(w.workspaceId, w.admin.token, { field: 'NAME' }, 3, { internal: false });
    expect(internal.every((r) => r.internal && r.email.endsWith('@inside.test'))).toBe(true);
    expect(external.every((r) => !r.internal && r.email.endsWith('@outside.test'))).toBe(true);
    expect(internal.length + external.length).toBe(10);
    const joinedInternal = await walk(w.workspaceId, w.admin.token, undefined, 100, { internal: true, status: 'JOINED' });
    expect(joinedInternal.map((r) => r.email).sort()).toEqual(internal.filter((r) => r.status === 'JOINED').map((r) => r.email).sort());
    const counted = await server.gql(LIST, { w: w.workspaceId, filter: { internal: false }, first: 1 }, w.admin.token);
    expect(counted.data.workspace.users.totalCount).toBe(external.length);
  });

  it("lists a group's members to those who may see them, and nobody to those who may not", async () => {
    const w = await orderedWorkspace();
    const [, kim, lee] = w.people;
    const member = await addMember(server, w.workspaceId, 'MEMBER');
    const outsider = await addMember(server, w.workspaceId, 'MEMBER');
    const created = await server.gql(
      `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input: { workspaceId: w.workspaceId, name: `Crew ${w.t}`, memberIds: [kim!.id, lee!.id, member.id], managerIds: [] } },
      w.admin.token,
    );
    expect(created.errors).toBeUndefined();
    const groupId = created.data.createGroup.id;
    const members = async (token: string, filter: object = {}) => (await walk(w.workspaceId, token, { field: 'EMAIL' }, 2, { groupId, ...filter })).map((r) => r.id).sort();
    expect(await members(w.admin.token)).toEqual([kim!.id, lee!.id, member.id].sort());
    expect(await members(member.token)).toEqual([kim!.id, lee!.id, member.id].sort());
    expect(await members(w.admin.token, { role: 'TASKER' })).toEqual([lee!.id]);
    // A MEMBER outside the group does not see it: the filter holds nobody, and says nothing about it.
    expect(await members(outsider.token)).toEqual([]);
    const count = await server.gql(LIST, { w: w.workspaceId, filter: { groupId } }, outsider.token);
    expect(count.data.workspace.users.totalCount).toBe(0);
    // Upper-case ids name the same group; ids of nothing (or not ids) filter to nobody.
    expect((await walk(w.workspaceId, w.admin.token, undefined, 100, { groupId: groupId.toUpperCase() })).length).toBe(3);
    expect(await walk(w.workspaceId, w.admin.token, undefined, 100, { groupId: randomUUID() })).toEqual([]);
    expect(await walk(w.workspaceId, w.admin.token, undefined, 100, { groupId: 'not-an-id' })).toEqual([]);
  });

  it("does not let a group of another workspace filter this one's people", async () => {
    const w = await orderedWorkspace();
    const other = await createWorkspace(server, 'Other');
    const shared = w.people[1]!;
    await server.db.query(`INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) VALUES ($1, $2, 'MEMBER', 'JOINED', now(), now())`, [
      other.workspaceId,
      shared.id,
    ]);
    const created = await server.gql(
      `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input: { workspaceId: other.workspaceId, name: 'Theirs', memberIds: [shared.id], managerIds: [] } },
      other.admin.token,
    );
    expect(created.errors).toBeUndefined();
    const rows = await walk(w.workspaceId, w.admin.token, undefined, 100, { groupId: created.data.createGroup.id });
    expect(rows).toEqual([]);
  });
});
