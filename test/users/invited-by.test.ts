import { addMember, createWorkspace, signIn } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { countQueries } from '../support/query-counter';
import { ACCEPT, DECLINE, INVITE, uniqueEmail } from './users.support';

/** Invitation.invitedBy: who sent the invitation, as its invitee reads it. */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const INVITATIONS = `{ viewer { invitations { workspaceId invitedBy { name email } } } }`;

async function invite(token: string, workspaceId: string, email: string, role = 'MEMBER') {
  const res = await server.gql(INVITE, { input: { workspaceId, emails: [email], role } }, token);
  expect(res.errors).toBeUndefined();
}

async function invitedByAsSeenBy(email: string, workspaceId: string) {
  const res = await server.gql(INVITATIONS, {}, await server.token(email));
  expect(res.errors).toBeUndefined();
  return res.data.viewer.invitations.find((i: any) => i.workspaceId === workspaceId)?.invitedBy;
}

it('names the ADMIN who invited, with name and email', async () => {
  const ada = await signIn(server, uniqueEmail('ada'), 'Ada Admin');
  const { workspaceId } = await createWorkspace(server, 'Invited By', ada.email);
  const email = uniqueEmail('invitee');
  await invite(ada.token, workspaceId, email);
  expect(await invitedByAsSeenBy(email, workspaceId)).toEqual({ name: 'Ada Admin', email: ada.email });
});

it('names an inviter without a name by email alone (name null)', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const email = uniqueEmail('invitee');
  await invite(admin.token, workspaceId, email);
  expect(await invitedByAsSeenBy(email, workspaceId)).toEqual({ name: null, email: admin.email });
});

it('names the ADMIN of the latest invitation when another invites a DECLINED person again', async () => {
  const ada = await signIn(server, uniqueEmail('ada'), 'Ada Admin');
  const { workspaceId } = await createWorkspace(server, 'Twice', ada.email);
  const bea = await signIn(server, uniqueEmail('bea'), 'Bea Boss');
  await invite(ada.token, workspaceId, bea.email, 'ADMIN');
  expect((await server.gql(ACCEPT, { w: workspaceId }, bea.token)).errors).toBeUndefined();

  const email = uniqueEmail('invitee');
  await invite(ada.token, workspaceId, email);
  expect((await server.gql(DECLINE, { w: workspaceId }, await server.token(email))).errors).toBeUndefined();
  await invite(bea.token, workspaceId, email, 'TASKER');
  expect(await invitedByAsSeenBy(email, workspaceId)).toEqual({ name: 'Bea Boss', email: bea.email });
  const [row] = await server.db.query(`SELECT m.invited_by FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = $1 AND u.email = $2`, [
    workspaceId,
    email,
  ]);
  expect(row.invited_by).toBe(bea.id);
});

it('is null for a membership made without an inviter', async () => {
  const { workspaceId } = await createWorkspace(server);
  const person = await addMember(server, workspaceId, 'MEMBER', 'INVITED');
  expect(await invitedByAsSeenBy(person.email, workspaceId)).toBeNull();
});

it('reads the inviters of every invitation in one statement', async () => {
  const { email, token } = await signIn(server, uniqueEmail('popular')); // the first sign-in's own statements are not counted
  const runs: number[] = [];
  const counter = countQueries(server.db);
  try {
    for (let i = 0; i < 3; i++) {
      const { workspaceId, admin } = await createWorkspace(server);
      await invite(admin.token, workspaceId, email);
      runs.push(await counter.during(() => server.gql(INVITATIONS, {}, token)));
    }
  } finally {
    counter.stop();
  }
  expect(runs[2]).toBe(runs[0]);
  expect(runs[0]).toBe(1);
});

it('writes the audit entry of an invitation at its invitedAt (what the InvitedBy migration matched old rows by)', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const email = uniqueEmail('invitee');
  await invite(admin.token, workspaceId, email);
  const [row] = await server.db.query(
    `SELECT m.invited_at = a.at AS same, a.actor_id FROM memberships m JOIN audit_log a ON a.target_id = m.user_id::text AND a.workspace_id = m.workspace_id
      WHERE m.workspace_id = $1 AND a.action = 'inviteUsers'`,
    [workspaceId],
  );
  expect(row).toEqual({ same: true, actor_id: admin.id });
});
