import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { ACCEPT, counts, DECLINE, INVITE, membershipOf, uniqueEmail, USERS } from './users.support';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ PUBLIC_URL: 'https://app.example.test' });
});
afterAll(() => server.close());

const INVITATIONS = `{ viewer { invitations { workspaceId workspaceName role invitedAt } } }`;
const WORKSPACE = `query($w: ID!) { workspace(id: $w) { id viewerRole } }`;
const TABLES = ['users', 'memberships', 'outbox_mail', 'audit_log'];

const mailer = () => server.service.services.mailer;

describe('inviteUsers', () => {
  it('trims, lower-cases and de-duplicates the emails, invites each once and mails each an accept link', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Mail Room');
    const a = uniqueEmail('a');
    const b = uniqueEmail('b');
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [`  ${a.toUpperCase()} `, b, a], role: 'MEMBER' } }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.inviteUsers).toEqual([
      expect.objectContaining({ email: a, role: 'MEMBER', status: 'INVITED', joinedAt: null, declinedAt: null, name: null }),
      expect.objectContaining({ email: b, role: 'MEMBER', status: 'INVITED' }),
    ]);
    // People who never signed in get an account without a subject, which their first sign-in claims.
    const users = await server.db.query(`SELECT email, subject FROM users WHERE email = ANY($1) ORDER BY email`, [[a, b]]);
    expect(users).toEqual([
      { email: a, subject: null },
      { email: b, subject: null },
    ]);
    const entries = await server.db.query(`SELECT action, actor_id, target_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'inviteUsers'`, [workspaceId]);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actor_id: admin.id, details: { role: 'MEMBER', invitedAgain: false } });

    await mailer().flush();
    const mails = mailer().sent.filter((m) => m.to === a || m.to === b);
    expect(mails.map((m) => m.to).sort()).toEqual([a, b].sort());
    expect(mails[0].subject).toContain('Mail Room');
    expect(mails[0].link).toBe(`https://app.example.test/invitations/${workspaceId}`);
    expect(mails[0].text).toContain('as MEMBER');
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM outbox_mail WHERE to_address = ANY($1) AND sent_at IS NOT NULL`, [[a, b]]);
    expect(row.n).toBe(2);
  });

  it('reuses the account of a person who has signed in already', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const known = await signIn(server, uniqueEmail('known'));
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [known.email.toUpperCase()], role: 'TASKER' } }, admin.token);
    expect(res.data.inviteUsers[0].id).toBe(known.id);
  });

  it('takes exactly 100 emails', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const emails = Array.from({ length: 100 }, (_, i) => `hundred-${i}-${workspaceId.slice(0, 8)}@example.test`);
    const res = await server.gql(INVITE, { input: { workspaceId, emails, role: 'TASKER' } }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.inviteUsers).toHaveLength(100);
  });

  it.each([
    ['an invalid email among valid ones', [uniqueEmail(), 'not-an-email', uniqueEmail()], ['not-an-email']],
    ['several invalid emails', ['a@b', 'two words@example.test', uniqueEmail()], ['a@b', 'two words@example.test']],
    ['an email with a trailing dot in the local part', ['dot.@example.test'], ['dot.@example.test']],
    ['an empty string', [''], ['']],
  ])('refuses %s with BAD_USER_INPUT naming them, and writes nothing', async (_name, emails, invalid) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await counts(server, TABLES);
    const res = await server.gql(INVITE, { input: { workspaceId, emails, role: 'MEMBER' } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions).toMatchObject({ field: 'input.emails', invalid });
    expect(await counts(server, TABLES)).toEqual(before);
  });

  it.each([
    ['no email', []],
    ['101 emails', Array.from({ length: 101 }, (_, i) => `many-${i}@example.test`)],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_name, emails) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await counts(server, TABLES);
    const res = await server.gql(INVITE, { input: { workspaceId, emails, role: 'MEMBER' } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.emails');
    expect(await counts(server, TABLES)).toEqual(before);
  });

  it('refuses a role that does not exist with BAD_USER_INPUT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [uniqueEmail()], role: 'OWNER' } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
  });

  it.each(['INVITED', 'JOINED'] as const)('answers CONFLICT listing an email already %s, and invites none of the list', async (status) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const existing = await addMember(server, workspaceId, 'MEMBER', status);
    const other = uniqueEmail();
    const before = await counts(server, TABLES);
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [other, ` ${existing.email.toUpperCase()}`], role: 'MEMBER' } }, admin.token);
    expect(errorCode(res)).toBe('CONFLICT');
    expect(res.errors![0].extensions!.emails).toEqual([existing.email]);
    expect(await counts(server, TABLES)).toEqual(before);
  });

  it('answers CONFLICT for the viewer’s own email (they have joined)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [admin.email], role: 'MEMBER' } }, admin.token);
    expect(errorCode(res)).toBe('CONFLICT');
  });

  it('invites a DECLINED person again, with the new role and a new invitedAt', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER', 'DECLINED');
    const old = await membershipOf(server, workspaceId, person.id);
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [person.email], role: 'TASKER' } }, admin.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.inviteUsers[0]).toMatchObject({ id: person.id, status: 'INVITED', role: 'TASKER', declinedAt: null });
    expect(new Date(res.data.inviteUsers[0].invitedAt).getTime()).toBeGreaterThan(old!.invited_at.getTime());
    const [entry] = await server.db.query(`SELECT details FROM audit_log WHERE workspace_id = $1 AND action = 'inviteUsers'`, [workspaceId]);
    expect(entry.details).toMatchObject({ invitedAgain: true, role: 'TASKER' });
  });

  it('invites a removed person again: listed again, INVITED, and they can accept', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'MEMBER');
    const removed = await server.gql(`mutation($i: RemoveUserInput!) { removeUser(input: $i) { removedUserId } }`, { i: { workspaceId, userId: person.id } }, admin.token);
    expect(removed.errors).toBeUndefined();
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [person.email], role: 'WORKFORCE_MANAGER' } }, admin.token);
    expect(res.data.inviteUsers[0]).toMatchObject({ id: person.id, status: 'INVITED', role: 'WORKFORCE_MANAGER', joinedAt: null });
    const listed = await server.gql(USERS, { w: workspaceId }, admin.token);
    expect(listed.data.workspace.users.nodes.map((u: any) => u.id)).toContain(person.id);
    const accepted = await server.gql(ACCEPT, { w: workspaceId }, person.token);
    expect(accepted.data.acceptInvitation).toMatchObject({ status: 'JOINED', role: 'WORKFORCE_MANAGER' });
  });

  it('lets only one of two simultaneous invitations of one email through; the other is CONFLICT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const email = uniqueEmail('race');
    const results = await Promise.all([1, 2].map(() => server.gql(INVITE, { input: { workspaceId, emails: [email], role: 'MEMBER' } }, admin.token)));
    expect(results.map((r) => (r.errors ? errorCode(r) : 'ok')).sort()).toEqual(['CONFLICT', 'ok']);
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM outbox_mail WHERE to_address = $1`, [email]);
    expect(row.n).toBe(1);
  });
});

describe('answering an invitation', () => {
  async function invited(role = 'MEMBER') {
    const { workspaceId, admin } = await createWorkspace(server, 'Answer Co');
    const email = uniqueEmail('invitee');
    const res = await server.gql(INVITE, { input: { workspaceId, emails: [email], role } }, admin.token);
    expect(res.errors).toBeUndefined();
    return { workspaceId, admin, email, userId: res.data.inviteUsers[0].id as string };
  }

  it('lists the invitation for the invitee, matched by the token email whatever its case, and lets them accept', async () => {
    const { workspaceId, email, userId } = await invited('WORKFORCE_MANAGER');
    const token = await server.token(email.toUpperCase());
    const list = await server.gql(INVITATIONS, {}, token);
    expect(list.data.viewer.invitations).toEqual([expect.objectContaining({ workspaceId, workspaceName: 'Answer Co', role: 'WORKFORCE_MANAGER' })]);
    expect((await server.gql(WORKSPACE, { w: workspaceId }, token)).data.workspace).toBeNull();

    const res = await server.gql(ACCEPT, { w: workspaceId }, token);
    expect(res.errors).toBeUndefined();
    expect(res.data.acceptInvitation).toMatchObject({ id: userId, status: 'JOINED', role: 'WORKFORCE_MANAGER' });
    expect(res.data.acceptInvitation.joinedAt).not.toBeNull();
    expect((await server.gql(WORKSPACE, { w: workspaceId }, token)).data.workspace).toEqual({ id: workspaceId, viewerRole: 'WORKFORCE_MANAGER' });
    expect((await server.gql(INVITATIONS, {}, token)).data.viewer.invitations).toEqual([]);
    const [entry] = await server.db.query(`SELECT actor_id, details FROM audit_log WHERE workspace_id = $1 AND action = 'acceptInvitation'`, [workspaceId]);
    expect(entry).toEqual({ actor_id: userId, details: { from: 'INVITED', to: 'JOINED', role: 'WORKFORCE_MANAGER' } });
  });

  it('lets the invitee decline: DECLINED with its date, and the workspace stays hidden', async () => {
    const { workspaceId, email, userId } = await invited();
    const token = await server.token(email);
    const res = await server.gql(DECLINE, { w: workspaceId }, token);
    expect(res.data.declineInvitation).toMatchObject({ id: userId, status: 'DECLINED', joinedAt: null });
    expect(res.data.declineInvitation.declinedAt).not.toBeNull();
    expect((await server.gql(WORKSPACE, { w: workspaceId }, token)).data.workspace).toBeNull();
    expect((await server.gql(INVITATIONS, {}, token)).data.viewer.invitations).toEqual([]);
  });

  it.each([
    ['accept', 'accept', 'JOINED'],
    ['accept', 'decline', 'JOINED'],
    ['decline', 'decline', 'DECLINED'],
    ['decline', 'accept', 'DECLINED'],
  ] as const)('answers CONFLICT to %s then %s, and keeps the first answer', async (first, second, status) => {
    const { workspaceId, email, userId } = await invited();
    const token = await server.token(email);
    const q = (a: string) => (a === 'accept' ? ACCEPT : DECLINE);
    expect((await server.gql(q(first), { w: workspaceId }, token)).errors).toBeUndefined();
    const again = await server.gql(q(second), { w: workspaceId }, token);
    expect(errorCode(again)).toBe('CONFLICT');
    expect(again.errors![0].extensions!.status).toBe(status);
    expect((await membershipOf(server, workspaceId, userId))!.status).toBe(status);
  });

  it.each(['accept', 'decline'])('answers CONFLICT when a JOINED member tries to %s', async (answer) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    for (const person of [admin, member]) {
      const res = await server.gql(answer === 'accept' ? ACCEPT : DECLINE, { w: workspaceId }, person.token);
      expect(errorCode(res)).toBe('CONFLICT');
    }
    expect((await membershipOf(server, workspaceId, member.id))!.status).toBe('JOINED');
  });

  it.each(['accept', 'decline'])('answers NOT_FOUND when someone else tries to %s, and leaves the invitation', async (answer) => {
    const { workspaceId, userId } = await invited();
    const stranger = await signIn(server, uniqueEmail('stranger'));
    const res = await server.gql(answer === 'accept' ? ACCEPT : DECLINE, { w: workspaceId }, stranger.token);
    expect(errorCode(res)).toBe('NOT_FOUND');
    expect((await membershipOf(server, workspaceId, userId))!.status).toBe('INVITED');
    expect(errorCode(await server.gql(ACCEPT, { w: 'not-an-id' }, stranger.token))).toBe('NOT_FOUND');
  });

  it('answers NOT_FOUND to a person removed while INVITED', async () => {
    const { workspaceId, admin, email, userId } = await invited();
    await server.gql(`mutation($i: RemoveUserInput!) { removeUser(input: $i) { removedUserId } }`, { i: { workspaceId, userId } }, admin.token);
    const token = await server.token(email);
    expect(errorCode(await server.gql(ACCEPT, { w: workspaceId }, token))).toBe('NOT_FOUND');
    expect((await server.gql(INVITATIONS, {}, token)).data.viewer.invitations).toEqual([]);
  });
});
