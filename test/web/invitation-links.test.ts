import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { INVITE, uniqueEmail } from '../users/users.support';

/**
 * Where the invitation mail's link leads, over plain HTTP: with APP_SIGN_IN_URL, the app's
 * sign-in page with the workspace in its query (the product's rule: the link always goes to
 * sign-in, whether or not the person has an account); links of old mail still work.
 */

const SIGN_IN = 'https://app.example.test/sign-in?next=%2Fhome&lang=en#top';
let server: TestServer;
let base: string;
beforeAll(async () => {
  server = await startTestServer({ APP_SIGN_IN_URL: SIGN_IN, PUBLIC_URL: 'https://api.example.test/' });
  base = server.url.replace(/\/graphql$/, '');
});
afterAll(() => server.close());

const get = (path: string) => fetch(`${base}${path}`, { redirect: 'manual' });
const ID = '1b4e28ba-2fa1-41d2-883f-0016d3cca427';

it('sends the link of a mail to the sign-in page with workspaceId added, its query and hash kept', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const email = uniqueEmail('invitee');
  expect((await server.gql(INVITE, { input: { workspaceId, emails: [email], role: 'MEMBER' } }, admin.token)).errors).toBeUndefined();
  const mailer = server.service.services.mailer;
  await mailer.flush();
  const link = mailer.sent.find((m) => m.to === email)!.link!;
  expect(link).toBe(`https://api.example.test/invitations/${workspaceId}`);

  const res = await get(new URL(link).pathname);
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe(`https://app.example.test/sign-in?next=%2Fhome&lang=en&workspaceId=${workspaceId}#top`);
  const location = new URL(res.headers.get('location')!);
  expect(Object.fromEntries(location.searchParams)).toEqual({ next: '/home', lang: 'en', workspaceId });
});

it('answers 404 to a workspace id that is not a UUID', async () => {
  for (const path of ['/invitations/not-a-uuid', '/invitations/not-a-uuid/accept', `/invitations/${ID}x`, '/invitations/%3Cscript%3E']) {
    expect([path, (await get(path)).status]).toEqual([path, 404]);
  }
});

it('moves the links of mail sent before the page (/accept) for good: 301 to the page', async () => {
  const res = await get(`/invitations/${ID}/accept`);
  expect(res.status).toBe(301);
  expect(res.headers.get('location')).toBe(`/invitations/${ID}`);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
});
