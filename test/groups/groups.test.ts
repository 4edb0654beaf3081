import { randomUUID } from 'node:crypto';
import { addMember, createWorkspace, signIn, type Person, type Role } from '../support/fixtures';
import { errorCode, startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { assignGroup, counts, CREATE_GROUP, createGroup, createResource, GROUP_TABLES, ok, visibleIds } from '../resources/fixtures';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const UPDATE = `mutation($input: UpdateGroupInput!) { updateGroup(input: $input) { id name description } }`;
const DELETE = `mutation($id: ID!) { deleteGroup(groupId: $id) }`;
const people = (op: string) => `mutation($input: GroupUsersInput!) { ${op}(input: $input) { id } }`;
const ADD_MEMBERS = people('addGroupMembers');
const REMOVE_MEMBERS = people('removeGroupMembers');
const ADD_MANAGERS = people('addGroupManagers');
const REMOVE_MANAGERS = people('removeGroupManagers');

const memberIds = async (groupId: string) =>
  (await server.db.query(`SELECT user_id FROM group_members WHERE group_id = $1 ORDER BY user_id`, [groupId])).map((r: any) => r.user_id);
const managerIds = async (groupId: string) =>
  (await server.db.query(`SELECT user_id FROM group_managers WHERE group_id = $1 ORDER BY user_id`, [groupId])).map((r: any) => r.user_id);

/**
 * A workspace (internal domain acme.test) with a group made by a WORKFORCE_MANAGER, with one
 * member, and one manager (whom an ADMIN appointed: managers are the ADMINs' to appoint), and
 * the people each test needs.
 */
async function setting() {
  const { workspaceId, admin } = await createWorkspace(server);
  const creator = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
  const member = await addMember(server, workspaceId, 'MEMBER');
  const manager = await addMember(server, workspaceId, 'MEMBER');
  const groupId = await createGroup(server, creator, workspaceId, { memberIds: [member.id] });
  ok(await server.gql(ADD_MANAGERS, { input: { groupId, userIds: [manager.id] } }, admin.token));
  return { workspaceId, admin, creator, member, manager, groupId };
}

describe('createGroup', () => {
  it('lets an ADMIN make a group with members and managers in one call, audited', async () => {
    const { workspaceId, admin: actor } = await createWorkspace(server);
    const [m1, m2] = [await addMember(server, workspaceId, 'TASKER', 'INVITED'), await addMember(server, workspaceId, 'MEMBER')];
    const boss = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const res = await server.gql(CREATE_GROUP, { input: { workspaceId, name: '  Night shift ', description: 'late', memberIds: [m1.id, m2.id, m1.id], managerIds: [boss.id] } }, actor.token);
    const group = ok(res).createGroup;
    expect(group).toMatchObject({ name: 'Night shift', description: 'late' });
    expect(await memberIds(group.id)).toEqual([m1.id, m2.id].sort());
    expect(await managerIds(group.id)).toEqual([boss.id]);
    const [entry] = await server.db.query(`SELECT actor_id, target_type, details FROM audit_log WHERE action = 'createGroup' AND target_id = $1`, [group.id]);
    expect(entry).toMatchObject({ actor_id: actor.id, target_type: 'Group', details: { name: 'Night shift', managerIds: [boss.id] } });
  });

  it('lets a WORKFORCE_MANAGER make a group with members, but not name its managers (addGroupManagers is ADMIN only): FORBIDDEN, writing nothing', async () => {
    const { workspaceId } = await createWorkspace(server);
    const actor = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const [m1, boss] = [await addMember(server, workspaceId, 'TASKER', 'INVITED'), await addMember(server, workspaceId, 'MEMBER')];
    const group = ok(await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'Crew', memberIds: [m1.id] } }, actor.token)).createGroup;
    expect(await memberIds(group.id)).toEqual([m1.id]);
    const before = await counts(server, GROUP_TABLES);
    const res = await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'Led', memberIds: [m1.id], managerIds: [boss.id] } }, actor.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
  });

  it.each(['MEMBER', 'TASKER'] as const)('refuses a %s with FORBIDDEN and writes nothing', async (role) => {
    const { workspaceId } = await createWorkspace(server);
    const actor = await addMember(server, workspaceId, role);
    const before = await counts(server, GROUP_TABLES);
    expect(errorCode(await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'G' } }, actor.token))).toBe('FORBIDDEN');
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
  });

  it('answers NOT_FOUND to an INVITED ADMIN and to a stranger', async () => {
    const { workspaceId } = await createWorkspace(server);
    const invited = await addMember(server, workspaceId, 'ADMIN', 'INVITED');
    const stranger = await signIn(server, `x-${randomUUID().slice(0, 6)}@acme.test`);
    for (const p of [invited, stranger]) expect(errorCode(await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'G' } }, p.token))).toBe('NOT_FOUND');
  });

  it('keeps names unique in a workspace, case-insensitively after trimming (CONFLICT), but not across workspaces', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    await createGroup(server, admin, workspaceId, { name: 'Reviewers' });
    const before = await counts(server, GROUP_TABLES);
    const res = await server.gql(CREATE_GROUP, { input: { workspaceId, name: '  rEVIEWERS ' } }, admin.token);
    expect(errorCode(res)).toBe('CONFLICT');
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
    const other = await createWorkspace(server);
    await createGroup(server, other.admin, other.workspaceId, { name: 'reviewers' });
  });

  it('keeps names unique under concurrent creation: exactly one wins', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const names = ['Race', 'race', ' RACE', 'Race ', 'rAcE', 'RACE'];
    const results = await Promise.all(names.map((name) => server.gql(CREATE_GROUP, { input: { workspaceId, name } }, admin.token)));
    expect(results.filter((r) => r.data?.createGroup).length).toBe(1);
    expect(results.filter((r) => errorCode(r) === 'CONFLICT').length).toBe(names.length - 1);
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM groups WHERE workspace_id = $1`, [workspaceId]);
    expect(row.n).toBe(1);
  });

  it('answers NOT_FOUND for people who are not in the workspace, BAD_USER_INPUT for REMOVED or DECLINED ones, writing nothing', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const stranger = await signIn(server, `s-${randomUUID().slice(0, 6)}@acme.test`);
    const removed = await addMember(server, workspaceId, 'MEMBER');
    await server.db.query(`UPDATE memberships SET status = 'REMOVED', removed_at = now() WHERE workspace_id = $1 AND user_id = $2`, [workspaceId, removed.id]);
    const declined = await addMember(server, workspaceId, 'MEMBER', 'DECLINED');
    const before = await counts(server, GROUP_TABLES);
    for (const input of [{ memberIds: [stranger.id] }, { memberIds: ['nope'] }, { managerIds: [randomUUID()] }]) {
      expect(errorCode(await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'G', ...input } }, admin.token))).toBe('NOT_FOUND');
    }
    for (const input of [{ memberIds: [removed.id] }, { managerIds: [removed.id] }, { memberIds: [declined.id] }]) {
      expect(errorCode(await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'G', ...input } }, admin.token))).toBe('BAD_USER_INPUT');
    }
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
  });

  it('refuses an external manager with BAD_USER_INPUT naming them, writing nothing; internal domains decide', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Acme', `admin-${randomUUID().slice(0, 6)}@acme.test`);
    const outsider = await addMember(server, workspaceId, 'MEMBER', 'JOINED', `o-${randomUUID().slice(0, 6)}@partner.test`);
    const before = await counts(server, GROUP_TABLES);
    const res = await server.gql(CREATE_GROUP, { input: { workspaceId, name: 'G', memberIds: [outsider.id], managerIds: [outsider.id] } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.managerIds', invalid: [outsider.id] });
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
    // An external member is fine; an internal domain makes the manager acceptable.
    await createGroup(server, admin, workspaceId, { memberIds: [outsider.id] });
    await server.db.query(`UPDATE workspaces SET internal_domains = internal_domains || '{partner.test}' WHERE id = $1`, [workspaceId]);
    await createGroup(server, admin, workspaceId, { managerIds: [outsider.id] });
  });

  it.each([
    ['a blank name', { name: '  ' }, 'input.name'],
    ['a name of 201 characters', { name: 'n'.repeat(201) }, 'input.name'],
  ])('refuses %s with BAD_USER_INPUT', async (_what, input, field) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(CREATE_GROUP, { input: { workspaceId, ...input } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe(field);
  });
});

describe('updateGroup and deleteGroup (ADMIN; the WORKFORCE_MANAGER who created it)', () => {
  type Who = 'admin' | 'creator' | 'otherWfm' | 'manager' | 'member' | 'taskerMember' | 'unrelated';
  const verdicts: Array<[Who, 'ok' | 'FORBIDDEN' | 'NOT_FOUND']> = [
    ['admin', 'ok'],
    ['creator', 'ok'],
    ['otherWfm', 'FORBIDDEN'],
    ['manager', 'FORBIDDEN'],
    ['member', 'FORBIDDEN'],
    ['taskerMember', 'FORBIDDEN'],
    ['unrelated', 'NOT_FOUND'],
  ];
  async function actor(s: Awaited<ReturnType<typeof setting>>, who: Who): Promise<Person> {
    switch (who) {
      case 'admin':
        return s.admin;
      case 'creator':
        return s.creator;
      case 'manager':
        return s.manager;
      case 'member':
        return s.member;
      case 'otherWfm':
        return addMember(server, s.workspaceId, 'WORKFORCE_MANAGER');
      case 'taskerMember': {
        const t = await addMember(server, s.workspaceId, 'TASKER');
        await server.db.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [s.groupId, t.id]);
        return t;
      }
      case 'unrelated':
        return addMember(server, s.workspaceId, 'MEMBER');
    }
  }

  it.each(verdicts)('updateGroup by %s: %s', async (who, verdict) => {
    const s = await setting();
    const person = await actor(s, who);
    const res = await server.gql(UPDATE, { input: { groupId: s.groupId, name: 'Renamed', description: 'new' } }, person.token);
    const [row] = await server.db.query(`SELECT name, description FROM groups WHERE id = $1`, [s.groupId]);
    if (verdict === 'ok') {
      expect(ok(res).updateGroup).toEqual({ id: s.groupId, name: 'Renamed', description: 'new' });
      const [entry] = await server.db.query(`SELECT details FROM audit_log WHERE action = 'updateGroup' AND target_id = $1`, [s.groupId]);
      expect(entry.details).toMatchObject({ to: { name: 'Renamed', description: 'new' } });
    } else {
      expect(errorCode(res)).toBe(verdict);
      expect(row.name).not.toBe('Renamed');
    }
  });

  it.each(verdicts)('deleteGroup by %s: %s', async (who, verdict) => {
    const s = await setting();
    const person = await actor(s, who);
    const res = await server.gql(DELETE, { id: s.groupId }, person.token);
    const rows = await server.db.query(`SELECT 1 FROM groups WHERE id = $1`, [s.groupId]);
    if (verdict === 'ok') {
      expect(ok(res).deleteGroup).toBe(true);
      expect(rows).toHaveLength(0);
      expect(await memberIds(s.groupId)).toEqual([]);
      const [entry] = await server.db.query(`SELECT actor_id FROM audit_log WHERE action = 'deleteGroup' AND target_id = $1`, [s.groupId]);
      expect(entry.actor_id).toBe(person.id);
    } else {
      expect(errorCode(res)).toBe(verdict);
      expect(rows).toHaveLength(1);
    }
  });

  it('refuses a rename onto another group’s name with CONFLICT; keeps its own name in another case', async () => {
    const s = await setting();
    await createGroup(server, s.admin, s.workspaceId, { name: 'Taken' });
    expect(errorCode(await server.gql(UPDATE, { input: { groupId: s.groupId, name: ' TAKEN' } }, s.admin.token))).toBe('CONFLICT');
    const [row] = await server.db.query(`SELECT name FROM groups WHERE id = $1`, [s.groupId]);
    const res = await server.gql(UPDATE, { input: { groupId: s.groupId, name: row.name.toUpperCase() } }, s.admin.token);
    expect(ok(res).updateGroup.name).toBe(row.name.toUpperCase());
  });

  it('clears the description with an empty text and keeps it with null', async () => {
    const s = await setting();
    ok(await server.gql(UPDATE, { input: { groupId: s.groupId, description: 'kept' } }, s.admin.token));
    expect(ok(await server.gql(UPDATE, { input: { groupId: s.groupId, name: 'N', description: null } }, s.admin.token)).updateGroup.description).toBe('kept');
    expect(ok(await server.gql(UPDATE, { input: { groupId: s.groupId, description: '' } }, s.admin.token)).updateGroup.description).toBeNull();
  });

  it('answers NOT_FOUND for a malformed id, an unknown id, and a group of another workspace', async () => {
    const s = await setting();
    const other = await createWorkspace(server);
    const foreign = await createGroup(server, other.admin, other.workspaceId);
    for (const id of ['nope', randomUUID(), foreign]) expect(errorCode(await server.gql(DELETE, { id }, s.admin.token))).toBe('NOT_FOUND');
  });
});

describe('addGroupMembers / removeGroupMembers (ADMIN; the creating WORKFORCE_MANAGER; the group’s managers)', () => {
  const cases: Array<[string, (s: Awaited<ReturnType<typeof setting>>) => Promise<Person>, 'ok' | 'FORBIDDEN' | 'NOT_FOUND']> = [
    ['a workspace ADMIN', async (s) => s.admin, 'ok'],
    ['the creating WORKFORCE_MANAGER', async (s) => s.creator, 'ok'],
    ['a MEMBER manager of the group', async (s) => s.manager, 'ok'],
    ['a WORKFORCE_MANAGER manager who did not create it', async (s) => addManager(s, 'WORKFORCE_MANAGER'), 'ok'],
    ['a TASKER member of the group (TASKERs manage no group)', async (s) => addToGroup(s, 'TASKER'), 'FORBIDDEN'],
    ['another WORKFORCE_MANAGER', async (s) => addMember(server, s.workspaceId, 'WORKFORCE_MANAGER'), 'FORBIDDEN'],
    ['a member of the group', async (s) => s.member, 'FORBIDDEN'],
    ['a MEMBER unrelated to the group', async (s) => addMember(server, s.workspaceId, 'MEMBER'), 'NOT_FOUND'],
    ['a TASKER unrelated to the group', async (s) => addMember(server, s.workspaceId, 'TASKER'), 'NOT_FOUND'],
  ];
  async function addManager(s: Awaited<ReturnType<typeof setting>>, role: Role): Promise<Person> {
    const p = await addMember(server, s.workspaceId, role);
    ok(await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [p.id] } }, s.admin.token));
    return p;
  }
  async function addToGroup(s: Awaited<ReturnType<typeof setting>>, role: Role): Promise<Person> {
    const p = await addMember(server, s.workspaceId, role);
    ok(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [p.id] } }, s.admin.token));
    return p;
  }

  it.each(cases)('%s: %s', async (_who, pick, verdict) => {
    const s = await setting();
    const person = await pick(s);
    const membersBefore = await memberIds(s.groupId);
    const newcomer = await addMember(server, s.workspaceId, 'TASKER', 'INVITED');
    const before = await counts(server, GROUP_TABLES);
    const added = await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [newcomer.id] } }, person.token);
    const removed = await server.gql(REMOVE_MEMBERS, { input: { groupId: s.groupId, userIds: [s.member.id] } }, person.token);
    if (verdict === 'ok') {
      ok(added);
      ok(removed);
      expect(await memberIds(s.groupId)).toEqual([newcomer.id]);
      const entries = await server.db.query(`SELECT action, details FROM audit_log WHERE target_id = $1 AND action LIKE '%GroupMembers' ORDER BY id`, [s.groupId]);
      expect(entries).toEqual([
        { action: 'addGroupMembers', details: { userIds: [newcomer.id] } },
        { action: 'removeGroupMembers', details: { userIds: [s.member.id] } },
      ]);
    } else {
      expect(errorCode(added)).toBe(verdict);
      expect(errorCode(removed)).toBe(verdict);
      expect(await counts(server, GROUP_TABLES)).toEqual(before);
      expect(await memberIds(s.groupId)).toEqual(membersBefore);
    }
  });

  it("refuses a manager adding themselves to the group's members (they would get its roles), but lets the ADMIN and the creating WORKFORCE_MANAGER", async () => {
    const s = await setting();
    const before = await counts(server, GROUP_TABLES);
    expect(errorCode(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [s.manager.id] } }, s.manager.token))).toBe('FORBIDDEN');
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
    ok(await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [s.creator.id] } }, s.admin.token));
    ok(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [s.creator.id] } }, s.creator.token));
    ok(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [s.manager.id] } }, s.admin.token));
    expect(await memberIds(s.groupId)).toEqual([s.member.id, s.creator.id, s.manager.id].sort());
  });

  it('a manager of group A may not touch group B: NOT_FOUND when B is not theirs, FORBIDDEN when they are only its member', async () => {
    const s = await setting();
    const groupB = await createGroup(server, s.admin, s.workspaceId, { memberIds: [s.member.id] });
    const newcomer = await addMember(server, s.workspaceId, 'MEMBER');
    expect(errorCode(await server.gql(ADD_MEMBERS, { input: { groupId: groupB, userIds: [newcomer.id] } }, s.manager.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(REMOVE_MEMBERS, { input: { groupId: groupB, userIds: [s.member.id] } }, s.manager.token))).toBe('NOT_FOUND');
    await server.db.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [groupB, s.manager.id]);
    expect(errorCode(await server.gql(ADD_MEMBERS, { input: { groupId: groupB, userIds: [newcomer.id] } }, s.manager.token))).toBe('FORBIDDEN');
    expect(await memberIds(groupB)).toEqual([s.member.id, s.manager.id].sort());
  });

  it('answers each of several mutations in one request with the state it left', async () => {
    const s = await setting();
    const newcomer = await addMember(server, s.workspaceId, 'MEMBER');
    const res = await server.gql(
      `mutation($g: ID!, $u: ID!, $m: ID!) {
        a: addGroupMembers(input: { groupId: $g, userIds: [$u] }) { members { id } }
        b: removeGroupMembers(input: { groupId: $g, userIds: [$m] }) { members { id } }
      }`,
      { g: s.groupId, u: newcomer.id, m: s.member.id },
      s.admin.token,
    );
    expect(ok(res).a.members.map((m: any) => m.id).sort()).toEqual([s.member.id, newcomer.id].sort());
    expect(res.data.b.members).toEqual([{ id: newcomer.id }]);
  });

  it('answers NOT_FOUND for people outside the workspace, BAD_USER_INPUT for an empty list, and is idempotent', async () => {
    const s = await setting();
    const stranger = await signIn(server, `s-${randomUUID().slice(0, 6)}@acme.test`);
    const outsider = await addMember(server, s.workspaceId, 'MEMBER');
    const before = await counts(server, GROUP_TABLES);
    expect(errorCode(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [s.member.id, stranger.id] } }, s.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(REMOVE_MEMBERS, { input: { groupId: s.groupId, userIds: [stranger.id] } }, s.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [] } }, s.admin.token))).toBe('BAD_USER_INPUT');
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
    ok(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [s.member.id] } }, s.admin.token));
    ok(await server.gql(REMOVE_MEMBERS, { input: { groupId: s.groupId, userIds: [outsider.id] } }, s.admin.token));
    expect(await counts(server, GROUP_TABLES)).toEqual(before); // nothing changed, nothing audited
  });
});

describe('addGroupManagers / removeGroupManagers (ADMIN only; internal users only)', () => {
  it('lets a workspace ADMIN add and remove internal managers, audited', async () => {
    const s = await setting();
    const boss = await addMember(server, s.workspaceId, 'MEMBER');
    ok(await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [boss.id] } }, s.admin.token));
    expect(await managerIds(s.groupId)).toEqual([s.manager.id, boss.id].sort());
    ok(await server.gql(REMOVE_MANAGERS, { input: { groupId: s.groupId, userIds: [s.manager.id] } }, s.admin.token));
    expect(await managerIds(s.groupId)).toEqual([boss.id]);
    const actions = await server.db.query(`SELECT action FROM audit_log WHERE target_id = $1 AND action LIKE '%GroupManagers' ORDER BY id`, [s.groupId]);
    expect(actions.map((a: any) => a.action)).toEqual(['addGroupManagers', 'addGroupManagers', 'removeGroupManagers']); // the first: the setting's manager
  });

  it.each([
    ['the creating WORKFORCE_MANAGER', 'creator', 'FORBIDDEN'],
    ['a manager of the group', 'manager', 'FORBIDDEN'],
    ['a member of the group', 'member', 'FORBIDDEN'],
  ] as const)('refuses %s with %s', async (_who, key, code) => {
    const s = await setting();
    const candidate = await addMember(server, s.workspaceId, 'MEMBER');
    const before = await counts(server, GROUP_TABLES);
    expect(errorCode(await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [candidate.id] } }, s[key].token))).toBe(code);
    expect(errorCode(await server.gql(REMOVE_MANAGERS, { input: { groupId: s.groupId, userIds: [s.manager.id] } }, s[key].token))).toBe(code);
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
  });

  it('answers NOT_FOUND to a MEMBER unrelated to the group', async () => {
    const s = await setting();
    const other = await addMember(server, s.workspaceId, 'MEMBER');
    expect(errorCode(await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [other.id] } }, other.token))).toBe('NOT_FOUND');
  });

  it('refuses a TASKER (who sees no other person) with BAD_USER_INPUT', async () => {
    const s = await setting();
    const tasker = await addMember(server, s.workspaceId, 'TASKER');
    const before = await counts(server, GROUP_TABLES);
    const res = await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [tasker.id] } }, s.admin.token);
    expect(res.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.userIds', invalid: [tasker.id] });
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
  });

  it('refuses an external user with BAD_USER_INPUT and adds none of the list', async () => {
    const s = await setting();
    const inside = await addMember(server, s.workspaceId, 'MEMBER');
    const outside = await addMember(server, s.workspaceId, 'MEMBER', 'JOINED', `ext-${randomUUID().slice(0, 6)}@elsewhere.test`);
    const before = await counts(server, GROUP_TABLES);
    const res = await server.gql(ADD_MANAGERS, { input: { groupId: s.groupId, userIds: [inside.id, outside.id] } }, s.admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.userIds', invalid: [outside.id] });
    expect(await counts(server, GROUP_TABLES)).toEqual(before);
  });
});

describe('seeing groups: workspace.groups and workspace.group(id)', () => {
  const LIST = `query($ws: ID!) { workspace(id: $ws) { groups { id } } }`;
  const ONE = `query($ws: ID!, $id: ID!) { workspace(id: $ws) { group(id: $id) { id name } } }`;

  it.each(['ADMIN', 'WORKFORCE_MANAGER'] as const)('shows a %s every group', async (role) => {
    const s = await setting();
    const other = await createGroup(server, s.admin, s.workspaceId);
    const person = await addMember(server, s.workspaceId, role);
    const ids = ok(await server.gql(LIST, { ws: s.workspaceId }, person.token)).workspace.groups.map((g: any) => g.id);
    expect(ids.sort()).toEqual([s.groupId, other].sort());
    expect(ok(await server.gql(ONE, { ws: s.workspaceId, id: other }, person.token)).workspace.group.id).toBe(other);
  });

  it.each(['MEMBER', 'TASKER'] as const)('shows a %s only the groups they belong to or manage', async (role) => {
    const s = await setting();
    const person = await addMember(server, s.workspaceId, role);
    const belongs = await createGroup(server, s.admin, s.workspaceId, { memberIds: [person.id] });
    // A TASKER manages no group (managers must see people).
    const manages = role === 'TASKER' ? null : await createGroup(server, s.admin, s.workspaceId, { managerIds: [person.id] });
    const ids = ok(await server.gql(LIST, { ws: s.workspaceId }, person.token)).workspace.groups.map((g: any) => g.id);
    expect(ids.sort()).toEqual([belongs, manages].filter((g): g is string => g !== null).sort());
    expect(ok(await server.gql(ONE, { ws: s.workspaceId, id: s.groupId }, person.token)).workspace.group).toBeNull();
    expect(ok(await server.gql(ONE, { ws: s.workspaceId, id: 'nope' }, person.token)).workspace.group).toBeNull();
  });
});

describe("seeing a group's managers (ADMIN; its managers; the WORKFORCE_MANAGER who created it)", () => {
  const MANAGERS = `query($ws: ID!, $id: ID!) { workspace(id: $ws) { group(id: $id) { id managers { id } } } }`;

  function managersOf(res: GqlResult) {
    return res.data?.workspace?.group?.managers;
  }

  it.each([
    ['a workspace ADMIN', 'admin'],
    ['the creating WORKFORCE_MANAGER', 'creator'],
    ['a manager of the group', 'manager'],
  ] as const)('shows them to %s', async (_who, key) => {
    const s = await setting();
    const res = await server.gql(MANAGERS, { ws: s.workspaceId, id: s.groupId }, s[key].token);
    expect(res.errors).toBeUndefined();
    expect(managersOf(res)).toEqual([{ id: s.manager.id }]);
  });

  it.each([
    ['a member of the group', async (s: Awaited<ReturnType<typeof setting>>) => s.member],
    ['a WORKFORCE_MANAGER who did not create it', async (s: Awaited<ReturnType<typeof setting>>) => addMember(server, s.workspaceId, 'WORKFORCE_MANAGER')],
  ])('gives null with FORBIDDEN to %s', async (_who, pick) => {
    const s = await setting();
    const person = await pick(s);
    const res = await server.gql(MANAGERS, { ws: s.workspaceId, id: s.groupId }, person.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].path).toEqual(['workspace', 'group', 'managers']);
    expect(res.data.workspace.group).toEqual({ id: s.groupId, managers: null });
  });

  it('never lets a member learn who manages their group, by any path', async () => {
    const s = await setting();
    const { member, manager, workspaceId, groupId } = s;
    const paths = [
      `{ workspace(id: "${workspaceId}") { groups { id managers { id } } } }`,
      `{ workspace(id: "${workspaceId}") { group(id: "${groupId}") { managers { id } members(first: 10) { id groups { id managers { id } } } } } }`,
      `{ workspace(id: "${workspaceId}") { user(id: "${member.id}") { groups { id managers { id } } } } }`,
      `{ workspace(id: "${workspaceId}") { user(id: "${manager.id}") { groups { id } } } }`,
      `{ workspace(id: "${workspaceId}") { users(first: 100) { nodes { id groups { id } } } } }`,
    ];
    for (const query of paths) {
      const res = await server.gql(query, {}, member.token);
      const text = JSON.stringify(res.data);
      // The manager's id appears only as a person of the workspace, never tied to the group.
      if (query.includes('users(first')) {
        const node = res.data.workspace.users.nodes.find((n: any) => n.id === manager.id);
        expect(node.groups).toEqual([]);
        continue;
      }
      if (query.includes(`user(id: "${manager.id}")`)) {
        expect(res.data.workspace.user.groups).toEqual([]);
        continue;
      }
      expect(text).not.toContain(manager.id);
      expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.at(-1) === 'managers')).toBe(true);
    }
    // The manager themselves sees the group among their own groups.
    const own = await server.gql(`{ workspace(id: "${workspaceId}") { user(id: "${manager.id}") { groups { id managers { id } } } } }`, {}, manager.token);
    expect(ok(own).workspace.user.groups).toEqual([{ id: groupId, managers: [{ id: manager.id }] }]);
  });
});

describe('Group.members (seeGroupMembers) and WorkspaceUser.groups', () => {
  const MEMBERS = `query($ws: ID!, $id: ID!) { workspace(id: $ws) { group(id: $id) { members { id } } } }`;

  it('shows the members to a MEMBER of the group, and null with FORBIDDEN to a TASKER member (who may not see other people)', async () => {
    const s = await setting();
    expect(ok(await server.gql(MEMBERS, { ws: s.workspaceId, id: s.groupId }, s.member.token)).workspace.group.members).toEqual([{ id: s.member.id }]);
    const tasker = await addMember(server, s.workspaceId, 'TASKER');
    ok(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [tasker.id] } }, s.admin.token));
    const res = await server.gql(MEMBERS, { ws: s.workspaceId, id: s.groupId }, tasker.token);
    expect(errorCode(res)).toBe('FORBIDDEN');
    expect(res.errors![0].path).toEqual(['workspace', 'group', 'members']);
    expect(res.data.workspace.group).toEqual({ members: null });
  });

  it("lists a person's groups as far as the viewer sees them", async () => {
    const s = await setting();
    const Q = `query($ws: ID!, $id: ID!) { workspace(id: $ws) { user(id: $id) { groups { id } } } }`;
    const other = await createGroup(server, s.admin, s.workspaceId, { memberIds: [s.manager.id] });
    const groupsOf = async (viewer: Person, id: string) =>
      ok(await server.gql(Q, { ws: s.workspaceId, id }, viewer.token)).workspace.user.groups.map((g: any) => g.id).sort();
    // The manager belongs to `other` and manages the setting's group.
    expect(await groupsOf(s.admin, s.manager.id)).toEqual([s.groupId, other].sort());
    expect(await groupsOf(s.creator, s.manager.id)).toEqual([s.groupId, other].sort());
    expect(await groupsOf(s.manager, s.manager.id)).toEqual([s.groupId, other].sort());
    // A WORKFORCE_MANAGER who did not create the group sees it, but not who manages it.
    const wfm = await addMember(server, s.workspaceId, 'WORKFORCE_MANAGER');
    expect(await groupsOf(wfm, s.manager.id)).toEqual([other]);
    // The member sees neither `other` (not theirs) nor that the manager manages their group.
    expect(await groupsOf(s.member, s.manager.id)).toEqual([]);
    expect(await groupsOf(s.member, s.member.id)).toEqual([s.groupId]);
  });
});

describe('membership changes take access away at once', () => {
  it('removing a member, deleting the group, or unassigning it', async () => {
    const s = await setting();
    const [p1, p2] = [await createResource(server, s.admin, s.workspaceId), await createResource(server, s.admin, s.workspaceId)];
    ok(await assignGroup(server, s.admin, { groupId: s.groupId, resourceIds: [p1, p2], role: 'ANNOTATOR' }));
    const newcomer = await addMember(server, s.workspaceId, 'MEMBER');
    ok(await server.gql(ADD_MEMBERS, { input: { groupId: s.groupId, userIds: [newcomer.id] } }, s.manager.token));
    expect(await visibleIds(server, newcomer, s.workspaceId)).toEqual([p1, p2].sort());
    expect(await visibleIds(server, s.manager, s.workspaceId)).toEqual([]); // managers hold no role

    ok(await server.gql(REMOVE_MEMBERS, { input: { groupId: s.groupId, userIds: [newcomer.id] } }, s.manager.token));
    expect(await visibleIds(server, newcomer, s.workspaceId)).toEqual([]);

    const unassign = await server.gql(`mutation($input: UnassignGroupInput!) { unassignGroup(input: $input) }`, { input: { groupId: s.groupId, resourceType: 'PROJECT', resourceId: p1 } }, s.admin.token);
    expect(ok(unassign).unassignGroup).toBe(true);
    expect(await visibleIds(server, s.member, s.workspaceId)).toEqual([p2]);

    ok(await server.gql(DELETE, { id: s.groupId }, s.creator.token));
    expect(await visibleIds(server, s.member, s.workspaceId)).toEqual([]);
    expect(await server.db.query(`SELECT 1 FROM resource_group_roles WHERE group_id = $1`, [s.groupId])).toHaveLength(0);
  });
});
