import { addMember, createWorkspace, type Role } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import {
  ACTOR_KINDS,
  actorIn,
  CHANGE_ROLE,
  counts,
  INVITE,
  membershipOf,
  REMOVE,
  ROLES,
  uniqueEmail,
  USER,
  USERS,
  type ActorKind,
} from './users.support';

/**
 * Every cell of docs/permissions.md's workspace-role table that concerns users (inviteUsers,
 * removeUser, changeUserRole, see other members), for each role and for INVITED and DECLINED
 * people, allowed and denied, through the API. A denied call must also change nothing.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
const hidden = (kind: ActorKind) => kind === 'INVITED' || kind === 'DECLINED';

describe('inviteUsers: ADMIN any role, WORKFORCE_MANAGER TASKER only, others no', () => {
  const expected = (actor: ActorKind, role: Role): Outcome =>
    hidden(actor) ? 'NOT_FOUND' : actor === 'ADMIN' || (actor === 'WORKFORCE_MANAGER' && role === 'TASKER') ? 'ok' : 'FORBIDDEN';
  const cases = ACTOR_KINDS.flatMap((actor) => ROLES.map((role) => [actor, role, expected(actor, role)] as const));

  it.each(cases)('%s inviting a %s: %s', async (actorKind, role, outcome) => {
    const { workspaceId } = await createWorkspace(server);
    const actor = await actorIn(server, workspaceId, actorKind);
    const email = uniqueEmail();
    const before = await counts(server, ['memberships', 'users', 'outbox_mail', 'audit_log']);
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [email], role } }, actor.token);
    if (outcome === 'ok') {
      expect(res.errors).toBeUndefined();
      expect(res.data.inviteUsers).toEqual([expect.objectContaining({ email, role, status: 'INVITED' })]);
    } else {
      expect(errorCode(res)).toBe(outcome);
      expect(await counts(server, ['memberships', 'users', 'outbox_mail', 'audit_log'])).toEqual(before);
    }
  });
});

describe('removeUser: ADMIN anyone but an ADMIN, WORKFORCE_MANAGER TASKERs only, others no', () => {
  // A TASKER sees no other member: for them the person is not there (NOT_FOUND, as for a stranger's id).
  const expected = (actor: ActorKind, target: Role): Outcome =>
    hidden(actor) || actor === 'TASKER'
      ? 'NOT_FOUND'
      : (actor === 'ADMIN' && target !== 'ADMIN') || (actor === 'WORKFORCE_MANAGER' && target === 'TASKER')
        ? 'ok'
        : 'FORBIDDEN';
  const cases = ACTOR_KINDS.flatMap((actor) => ROLES.map((target) => [actor, target, expected(actor, target)] as const));

  it.each(cases)('%s removing a JOINED %s: %s', async (actorKind, targetRole, outcome) => {
    const { workspaceId } = await createWorkspace(server);
    const actor = await actorIn(server, workspaceId, actorKind);
    const target = await addMember(server, workspaceId, targetRole);
    const res = await server.gql(REMOVE, { input: { workspaceId, userId: target.id } }, actor.token);
    const row = await membershipOf(server, workspaceId, target.id);
    if (outcome === 'ok') {
      expect(res.errors).toBeUndefined();
      expect(res.data.removeUser).toEqual({ removedUserId: target.id, reassigned: [] });
      expect(row!.removed_at).not.toBeNull();
    } else {
      expect(errorCode(res)).toBe(outcome);
      expect(row!.removed_at).toBeNull();
    }
  });

  const pending = (['ADMIN', 'WORKFORCE_MANAGER'] as const).flatMap((actor) =>
    (['INVITED', 'DECLINED'] as const).flatMap((status) =>
      (['MEMBER', 'TASKER'] as const).map((role) => [actor, status, role, actor === 'ADMIN' || role === 'TASKER' ? 'ok' : 'FORBIDDEN'] as const),
    ),
  );
  it.each(pending)('%s removing an %s %s: %s', async (actorRole, status, targetRole, outcome) => {
    const { workspaceId } = await createWorkspace(server);
    const actor = await addMember(server, workspaceId, actorRole);
    const target = await addMember(server, workspaceId, targetRole, status);
    const res = await server.gql(REMOVE, { input: { workspaceId, userId: target.id } }, actor.token);
    const row = await membershipOf(server, workspaceId, target.id);
    if (outcome === 'ok') {
      expect(res.errors).toBeUndefined();
      expect(row!.removed_at).not.toBeNull();
    } else {
      expect(errorCode(res)).toBe(outcome);
      expect(row!.removed_at).toBeNull();
    }
  });
});

describe("changeUserRole: ADMIN only; an ADMIN's role is taken only by themselves", () => {
  const next: Record<Role, Role> = { ADMIN: 'MEMBER', MEMBER: 'WORKFORCE_MANAGER', WORKFORCE_MANAGER: 'TASKER', TASKER: 'ADMIN' };
  const expected = (actor: ActorKind, target: Role): Outcome =>
    hidden(actor) || actor === 'TASKER' ? 'NOT_FOUND' : actor === 'ADMIN' && target !== 'ADMIN' ? 'ok' : 'FORBIDDEN';
  const cases = ACTOR_KINDS.flatMap((actor) => ROLES.map((target) => [actor, target, next[target], expected(actor, target)] as const));

  it.each(cases)('%s changing a %s to %s: %s', async (actorKind, targetRole, newRole, outcome) => {
    const { workspaceId } = await createWorkspace(server);
    const actor = await actorIn(server, workspaceId, actorKind);
    const target = await addMember(server, workspaceId, targetRole);
    const res = await server.gql(CHANGE_ROLE, { input: { workspaceId, userId: target.id, role: newRole } }, actor.token);
    const row = await membershipOf(server, workspaceId, target.id);
    if (outcome === 'ok') {
      expect(res.errors).toBeUndefined();
      expect(res.data.changeUserRole).toMatchObject({ id: target.id, role: newRole });
      expect(row!.role).toBe(newRole);
    } else {
      expect(errorCode(res)).toBe(outcome);
      expect(row!.role).toBe(targetRole);
    }
  });
});

describe('a TASKER acting on people', () => {
  it('gets the same NOT_FOUND for a member as for an id that is no one: the answer tells nothing', async () => {
    const { workspaceId } = await createWorkspace(server);
    const tasker = await addMember(server, workspaceId, 'TASKER');
    const member = await addMember(server, workspaceId, 'MEMBER');
    const nobody = '00000000-0000-4000-8000-00000000abcd';
    const answers = [];
    for (const userId of [member.id, nobody]) {
      const removal = await server.gql(REMOVE, { input: { workspaceId, userId } }, tasker.token);
      const change = await server.gql(CHANGE_ROLE, { input: { workspaceId, userId, role: 'ADMIN' } }, tasker.token);
      answers.push([removal.status, errorCode(removal), removal.errors?.[0].message, change.status, errorCode(change), change.errors?.[0].message]);
    }
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[0][1]).toBe('NOT_FOUND');
    expect((await membershipOf(server, workspaceId, member.id))!).toMatchObject({ role: 'MEMBER', removed_at: null });
  });

  it('is refused (FORBIDDEN) on themselves, whom they do see', async () => {
    const { workspaceId } = await createWorkspace(server);
    const tasker = await addMember(server, workspaceId, 'TASKER');
    expect(errorCode(await server.gql(REMOVE, { input: { workspaceId, userId: tasker.id } }, tasker.token))).toBe('FORBIDDEN');
    expect(errorCode(await server.gql(CHANGE_ROLE, { input: { workspaceId, userId: tasker.id, role: 'ADMIN' } }, tasker.token))).toBe('FORBIDDEN');
    expect((await membershipOf(server, workspaceId, tasker.id))!).toMatchObject({ role: 'TASKER', removed_at: null });
  });
});

describe('see other members: ADMIN, MEMBER, WORKFORCE_MANAGER yes; TASKER only themselves (user(id) of anyone else is null)', () => {
  type Look = 'users' | 'user(other)' | 'user(self)';
  const looks: Look[] = ['users', 'user(other)', 'user(self)'];
  const expected = (actor: ActorKind, look: Look): Outcome | 'null' | 'no one' =>
    hidden(actor) ? 'null' : actor === 'TASKER' && look === 'user(other)' ? 'no one' : actor !== 'TASKER' || look === 'user(self)' ? 'ok' : 'FORBIDDEN';
  const cases = ACTOR_KINDS.flatMap((actor) => looks.map((look) => [actor, look, expected(actor, look)] as const));

  it.each(cases)('%s reading %s: %s', async (actorKind, look, outcome) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const actor = await actorIn(server, workspaceId, actorKind);
    const res =
      look === 'users'
        ? await server.gql(USERS, { w: workspaceId }, actor.token)
        : await server.gql(USER, { w: workspaceId, id: look === 'user(self)' ? actor.id : admin.id }, actor.token);
    if (outcome === 'null') {
      // INVITED and DECLINED people see nothing of the workspace.
      expect(res.errors).toBeUndefined();
      expect(res.data.workspace).toBeNull();
    } else if (outcome === 'no one') {
      // A TASKER sees no other person: for them the id is no one's, as an unknown id would be.
      expect(res.errors).toBeUndefined();
      expect(res.data.workspace.user).toBeNull();
    } else if (outcome === 'ok') {
      expect(res.errors).toBeUndefined();
      if (look === 'users') expect(res.data.workspace.users.nodes.map((u: any) => u.id).sort()).toEqual([admin.id, actor.id].sort());
      else expect(res.data.workspace.user.id).toBe(look === 'user(self)' ? actor.id : admin.id);
    } else {
      expect(errorCode(res)).toBe(outcome);
      expect(res.data?.workspace?.users ?? res.data?.workspace?.user ?? null).toBeNull();
    }
  });
});

describe('a person of no workspace', () => {
  it('gets NOT_FOUND from every user mutation and null for the workspace', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const target = await addMember(server, workspaceId, 'TASKER');
    const stranger = await addMember(server, (await createWorkspace(server)).workspaceId, 'ADMIN');
    const calls = [
      server.gql(INVITE, { input: { workspaceId, emails: [uniqueEmail()], role: 'TASKER' } }, stranger.token),
      server.gql(REMOVE, { input: { workspaceId, userId: target.id } }, stranger.token),
      server.gql(CHANGE_ROLE, { input: { workspaceId, userId: target.id, role: 'MEMBER' } }, stranger.token),
    ];
    for (const res of await Promise.all(calls)) expect(errorCode(res)).toBe('NOT_FOUND');
    expect((await server.gql(USER, { w: workspaceId, id: admin.id }, stranger.token)).data.workspace).toBeNull();
    expect((await membershipOf(server, workspaceId, target.id))!).toMatchObject({ role: 'TASKER', removed_at: null });
  });
});
