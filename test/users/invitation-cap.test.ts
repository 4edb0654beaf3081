import { createWorkspace } from '../support/fixtures';
import { startTestServer, type GqlResult, type TestServer } from '../support/harness';
import { counts, INVITE, REMOVE, uniqueEmail } from './users.support';

/** INVITATIONS_PER_DAY: a workspace's and a person's invitations of the last 24 hours (rolling), counted from the audit log. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ INVITATIONS_PER_DAY: '5', RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

const TABLES = ['users', 'memberships', 'outbox_mail', 'audit_log'];
const emails = (n: number) => Array.from({ length: n }, () => uniqueEmail('capped'));

async function invite(workspaceId: string, token: string, to: string[]): Promise<GqlResult & { retryAfterHeader: string | null }> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: INVITE, variables: { input: { workspaceId, emails: to, role: 'MEMBER' } } }),
  });
  return { ...((await res.json()) as GqlResult), status: res.status, retryAfterHeader: res.headers.get('retry-after') };
}

/** Makes the workspace's invitation entries older, as if sent that long ago. */
async function age(workspaceId: string, interval: string, limit = 1000): Promise<void> {
  await server.db.query(
    `UPDATE audit_log SET at = at - $2::interval
      WHERE id IN (SELECT id FROM audit_log WHERE workspace_id = $1 AND action = 'inviteUsers' ORDER BY id LIMIT $3)`,
    [workspaceId, interval, limit],
  );
}

describe('the daily invitation cap', () => {
  it('refuses the call that would pass it (RATE_LIMITED, 429, Retry-After), all or nothing: nothing written, no mail', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    expect((await invite(workspaceId, admin.token, emails(3))).errors).toBeUndefined();
    const before = await counts(server, TABLES);
    const refused = await invite(workspaceId, admin.token, emails(3));
    expect(refused.status).toBe(429);
    expect(refused.data).toBeNull();
    const extensions = refused.errors![0].extensions!;
    expect(extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'invitationsPerDay', max: 5 });
    // The oldest of the 3 sent must be a day old before 3 more fit.
    expect(extensions.retryAfter).toBeGreaterThan(86_400 - 60);
    expect(extensions.retryAfter).toBeLessThanOrEqual(86_400);
    expect(refused.retryAfterHeader).toBe(String(extensions.retryAfter));
    expect(await counts(server, TABLES)).toEqual(before); // no account, membership, mail or entry
    // What fits still passes; then nothing more.
    expect((await invite(workspaceId, admin.token, emails(2))).errors).toBeUndefined();
    expect((await invite(workspaceId, admin.token, emails(1))).errors?.[0].extensions?.limit).toBe('invitationsPerDay');
    // Another workspace has its own count.
    const other = await createWorkspace(server);
    expect((await invite(other.workspaceId, other.admin.token, emails(5))).errors).toBeUndefined();
  });

  it('cannot be dodged by removing people and inviting them again', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const sent = await invite(workspaceId, admin.token, emails(5));
    const first = sent.data.inviteUsers[0];
    const removed = await server.gql(REMOVE, { input: { workspaceId, userId: first.id } }, admin.token);
    expect(removed.errors).toBeUndefined();
    const again = await invite(workspaceId, admin.token, [first.email]);
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'invitationsPerDay' });
  });

  it('counts a person across workspaces too: making workspaces does not send more', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    expect((await invite(workspaceId, admin.token, emails(4))).errors).toBeUndefined();
    const second = await server.gql(`mutation { createWorkspace(input: { name: "Another" }) { id } }`, {}, admin.token);
    const refused = await invite(second.data.createWorkspace.id, admin.token, emails(2));
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'invitationsPerDay', per: 'person', max: 5 });
    expect((await invite(second.data.createWorkspace.id, admin.token, emails(1))).errors).toBeUndefined();
  });

  it('rolls: invitations count for 24 hours, and retryAfter says when enough of them are a day old', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    expect((await invite(workspaceId, admin.token, emails(5))).errors).toBeUndefined();
    await age(workspaceId, '23 hours 59 minutes', 2); // the two oldest leave the window in about a minute
    const refused = await invite(workspaceId, admin.token, emails(2));
    expect(refused.errors![0].extensions!.retryAfter).toBeGreaterThan(0);
    expect(refused.errors![0].extensions!.retryAfter).toBeLessThanOrEqual(61);
    await age(workspaceId, '2 minutes', 2);
    expect((await invite(workspaceId, admin.token, emails(2))).errors).toBeUndefined();
    expect((await invite(workspaceId, admin.token, emails(1))).errors?.[0].extensions?.code).toBe('RATE_LIMITED');
  });

  const onPostgres = process.env.TEST_DATABASE_URL ? it : it.skip;
  onPostgres('lets only one of two racing invitations pass when both together would pass it', async () => {
    for (let round = 0; round < 5; round++) {
      const { workspaceId, admin } = await createWorkspace(server);
      const results = await Promise.all([invite(workspaceId, admin.token, emails(3)), invite(workspaceId, admin.token, emails(3))]);
      expect(results.map((r) => r.errors?.[0].extensions?.code ?? 'ok').sort()).toEqual(['RATE_LIMITED', 'ok']);
      const [row] = await server.db.query(`SELECT count(*)::int AS n FROM memberships WHERE workspace_id = $1 AND status = 'INVITED'`, [workspaceId]);
      expect(row.n).toBe(3);
    }
  });
});
