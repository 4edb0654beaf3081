import pg from 'pg';
import { addMember, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { CHANGE_ROLE, membershipOf } from './users.support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const change = (token: string, workspaceId: string, userId: string, role: string) =>
  server.gql(CHANGE_ROLE, { input: { workspaceId, userId, role } }, token);

describe('changeUserRole', () => {
  it('changes the role, audits from and to, and the new role takes effect at once', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const res = await change(admin.token, workspaceId, member.id, 'TASKER');
    expect(res.data.changeUserRole).toMatchObject({ id: member.id, role: 'TASKER', status: 'JOINED' });
    const [entry] = await server.db.query(`SELECT actor_id, target_type, target_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'changeUserRole'`, [workspaceId]);
    expect(entry).toEqual({ actor_id: admin.id, target_type: 'WorkspaceUser', target_id: member.id, details: { from: 'MEMBER', to: 'TASKER' } });
    // Now a TASKER: the list of other people is closed to them.
    const list = await server.gql(`query($w: ID!) { workspace(id: $w) { users { totalCount } } }`, { w: workspaceId }, member.token);
    expect(errorCode(list)).toBe('FORBIDDEN');
  });

  it('changes the role of an INVITED person too', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const invited = await addMember(server, workspaceId, 'TASKER', 'INVITED');
    expect((await change(admin.token, workspaceId, invited.id, 'ADMIN')).data.changeUserRole).toMatchObject({ role: 'ADMIN', status: 'INVITED' });
  });

  it('writes nothing when the role is the same', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    expect((await change(admin.token, workspaceId, member.id, 'MEMBER')).data.changeUserRole.role).toBe('MEMBER');
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE workspace_id = $1 AND action = 'changeUserRole'`, [workspaceId]);
    expect(row.n).toBe(0);
  });

  it('keeps the last ADMIN: demoting oneself as the only ADMIN is INVARIANT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await change(admin.token, workspaceId, admin.id, 'MEMBER');
    expect(errorCode(res)).toBe('INVARIANT');
    expect((await membershipOf(server, workspaceId, admin.id))!.role).toBe('ADMIN');
  });

  it('counts only JOINED ADMINs: with the other ADMIN still INVITED or DECLINED, the last JOINED one keeps the role', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    await addMember(server, workspaceId, 'ADMIN', 'DECLINED');
    expect(errorCode(await change(admin.token, workspaceId, admin.id, 'MEMBER'))).toBe('INVARIANT');
  });

  it('lets an ADMIN step down when another JOINED ADMIN remains', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await addMember(server, workspaceId, 'ADMIN');
    expect((await change(admin.token, workspaceId, admin.id, 'MEMBER')).data.changeUserRole.role).toBe('MEMBER');
    // Now a MEMBER, the former ADMIN may not change roles any more.
    expect(errorCode(await change(admin.token, workspaceId, other.id, 'MEMBER'))).toBe('FORBIDDEN');
    expect((await membershipOf(server, workspaceId, other.id))!.role).toBe('ADMIN');
  });

  it('answers NOT_FOUND for an unknown, malformed, removed or foreign user', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const gone = await addMember(server, workspaceId, 'MEMBER');
    await server.db.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, gone.id]);
    const foreign = await createWorkspace(server);
    for (const userId of ['00000000-0000-4000-8000-000000000000', 'nope', gone.id, foreign.admin.id]) {
      expect(errorCode(await change(admin.token, workspaceId, userId, 'TASKER'))).toBe('NOT_FOUND');
    }
    expect((await membershipOf(server, workspaceId, gone.id))!.role).toBe('MEMBER');
  });

  it("refuses an ADMIN changing another ADMIN's role (FORBIDDEN): an ADMIN steps down only themselves", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await addMember(server, workspaceId, 'ADMIN');
    for (const role of ['MEMBER', 'TASKER', 'WORKFORCE_MANAGER'] as const) {
      expect(errorCode(await change(admin.token, workspaceId, other.id, role))).toBe('FORBIDDEN');
    }
    expect((await membershipOf(server, workspaceId, other.id))!.role).toBe('ADMIN');
  });

  it('refuses making a group manager a TASKER (INVARIANT, naming the groups) until they are taken off as manager', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const lead = await addMember(server, workspaceId, 'MEMBER');
    const create = `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id name } }`;
    const group = (await server.gql(create, { input: { workspaceId, name: 'Night shift', managerIds: [lead.id] } }, admin.token)).data.createGroup;
    const res = await change(admin.token, workspaceId, lead.id, 'TASKER');
    expect(res.errors![0].extensions).toMatchObject({ code: 'INVARIANT', groups: [{ id: group.id, name: 'Night shift' }] });
    expect((await membershipOf(server, workspaceId, lead.id))!.role).toBe('MEMBER');
    const off = `mutation($input: GroupUsersInput!) { removeGroupManagers(input: $input) { id } }`;
    expect((await server.gql(off, { input: { groupId: group.id, userIds: [lead.id] } }, admin.token)).errors).toBeUndefined();
    expect((await change(admin.token, workspaceId, lead.id, 'TASKER')).data.changeUserRole.role).toBe('TASKER');
  });

  it('refuses a role that does not exist with BAD_USER_INPUT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    expect(errorCode(await change(admin.token, workspaceId, member.id, 'OWNER'))).toBe('BAD_USER_INPUT');
  });
});

describe('two ADMINs stepping down at the same moment', () => {
  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;

  // PGlite is one session, so requests never overlap there; this needs real concurrency.
  onPostgres('leaves exactly one ADMIN: one demotion succeeds, the other is INVARIANT', async () => {
    for (let round = 0; round < 5; round++) {
      const { workspaceId, admin: a } = await createWorkspace(server);
      const b = await addMember(server, workspaceId, 'ADMIN');
      // Hold the workspace's membership lock (what every change of roles takes) so both requests are waiting on it, then let them race.
      const blocker = new pg.Client({ connectionString: (server.db.options as { url?: string }).url });
      await blocker.connect();
      await blocker.query('BEGIN');
      await blocker.query(`SELECT pg_advisory_xact_lock(hashtext('memberships'), hashtext($1))`, [workspaceId]);
      const racing = Promise.all([change(a.token, workspaceId, a.id, 'MEMBER'), change(b.token, workspaceId, b.id, 'MEMBER')]);
      await waitForLockWaiters(blocker, 2);
      await blocker.query('COMMIT');
      await blocker.end();
      const results = await racing;
      expect(results.map((r) => (r.errors ? errorCode(r) : 'ok')).sort()).toEqual(['INVARIANT', 'ok']);
      const [row] = await server.db.query(
        `SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1 AND role = 'ADMIN' AND status = 'JOINED'`,
        [workspaceId],
      );
      expect(row.n).toBe(1);
    }
  });
});

/** Waits until `n` other sessions are waiting on a lock (both mutations are inside their transactions). */
async function waitForLockWaiters(client: pg.Client, n: number) {
  for (let i = 0; i < 500; i++) {
    await client.query(`SELECT pg_stat_clear_snapshot()`); // inside a transaction, the activity view is otherwise a frozen snapshot
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
    );
    if (rows[0].n >= n) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never saw ${n} sessions waiting on the lock`);
}
