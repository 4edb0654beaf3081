import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { mintToken } from '../../src/dev-token';
import { createWorkspace, signIn, type Person } from '../support/fixtures';
import { launchBrowser } from '../support/browser';
import { startTestServer, TEST_SECRET, type TestServer } from '../support/harness';
import { INVITE, membershipOf, uniqueEmail } from '../users/users.support';

/**
 * The invitation page (/invitations/<workspaceId>, no APP_SIGN_IN_URL) in headless chromium
 * against a test server: the mail's link, sign-in, the invitation with who sent it, accept and
 * decline, and the states of people with no invitation or one answered. Leaves a screenshot in
 * test-output/ (a CI artifact).
 */

const OUTPUT = join(__dirname, '..', '..', 'test-output');
jest.setTimeout(120_000);

let server: TestServer;
let browser: { context: BrowserContext; close(): Promise<void> };
let base: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  server = await startTestServer();
  base = server.url.replace(/\/graphql$/, '');
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});
afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

/** Invites a new address through the API; answers its id, email and the path of the link its mail holds. */
async function invite(admin: Person, workspaceId: string, role = 'MEMBER') {
  const email = uniqueEmail('invitee');
  const res = await server.gql(INVITE, { input: { workspaceId, emails: [email], role } }, admin.token);
  if (!res.data) throw new Error(JSON.stringify(res.errors));
  const mailer = server.service.services.mailer;
  await mailer.flush();
  const link = mailer.sent.find((m) => m.to === email)!.link!;
  // The test server's PUBLIC_URL names port 0: the link's path, on the port it listens on.
  return { id: res.data.inviteUsers[0].id as string, email, path: new URL(link).pathname };
}

async function openSignedIn(path: string, token: string): Promise<Page> {
  const page = await browser.context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${base}${path}`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

const title = (page: Page, text: string) => page.getByRole('heading', { name: text }).waitFor();
const body = (page: Page) => page.locator('#invitation-body').textContent();

it('takes an invitee from the mail to the invitation, who sent it and as what, and joins them on Accept', async () => {
  const ada = await signIn(server, uniqueEmail('ada'), 'Ada Admin');
  const { workspaceId } = await createWorkspace(server, 'Pixels & Co', ada.email);
  const invitee = await invite(ada, workspaceId, 'WORKFORCE_MANAGER');
  expect(invitee.path).toBe(`/invitations/${workspaceId}`);

  const token = await server.token(invitee.email, 'Ivy Invitee');
  const page = await openSignedIn(invitee.path, token);
  await title(page, 'Join Pixels & Co?');
  expect(await body(page)).toContain(`Ada Admin (${ada.email}) invited you to join Pixels & Co as Workforce manager.`);
  expect(await page.locator('#invitation-body time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(await page.locator('#who').textContent()).toBe(`Ivy Invitee · ${invitee.email}`);
  // The Activity Center's key: signed in here is signed in there.
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('activity.token'))).toBe(token);
  mkdirSync(OUTPUT, { recursive: true });
  await page.screenshot({ path: join(OUTPUT, 'invitation-page.png'), fullPage: true });

  await page.getByRole('button', { name: 'Accept' }).click();
  await title(page, 'Welcome to Pixels & Co');
  expect(await page.getByRole('status').textContent()).toBe('Invitation accepted.');
  expect(await body(page)).toBe('You have joined Pixels & Co as Workforce manager.');
  const link = page.getByRole('link', { name: 'Open the Activity Center' });
  expect(await link.getAttribute('href')).toBe(`/activity/#workspace=${workspaceId}`);
  expect((await membershipOf(server, workspaceId, invitee.id))!.status).toBe('JOINED');
  const viewerRole = await server.gql(`query($w: ID!) { workspace(id: $w) { viewerRole } }`, { w: workspaceId }, token);
  expect(viewerRole.data.workspace).toEqual({ viewerRole: 'WORKFORCE_MANAGER' });

  // Back to the link later: a member now. The Activity Center opens signed in, on this workspace.
  await page.reload();
  await title(page, 'You are a member of Pixels & Co');
  await link.click();
  await page.locator('#workspace option:checked', { hasText: 'Pixels & Co' }).waitFor({ state: 'attached' });
  await page.close();
});

it('declines on Decline', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Declined Co');
  const invitee = await invite(admin, workspaceId);
  const page = await openSignedIn(invitee.path, await server.token(invitee.email));
  await title(page, 'Join Declined Co?');
  expect(await body(page)).toContain(`${admin.email} invited you to join Declined Co as Member.`); // an inviter without a name
  await page.getByRole('button', { name: 'Decline' }).click();
  await title(page, 'Invitation declined');
  expect(await page.getByRole('status').textContent()).toBe('Invitation declined.');
  expect(await body(page)).toContain('You have declined the invitation to Declined Co.');
  expect((await membershipOf(server, workspaceId, invitee.id))!.status).toBe('DECLINED');
  await page.close();
});

it('shows a refused answer in words, and where the invitation stands now', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Two Tabs');
  const invitee = await invite(admin, workspaceId);
  const token = await server.token(invitee.email);
  const page = await openSignedIn(invitee.path, token);
  await title(page, 'Join Two Tabs?');
  // Declined elsewhere (another tab) while this page was open.
  expect((await server.gql(`mutation($w: ID!) { declineInvitation(workspaceId: $w) { status } }`, { w: workspaceId }, token)).errors).toBeUndefined();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('alert').filter({ hasText: 'You have declined this invitation already' }).waitFor();
  await title(page, 'No pending invitation');
  expect((await membershipOf(server, workspaceId, invitee.id))!.status).toBe('DECLINED');
  await page.close();
});

it('tells a person with no invitation to this workspace, and lets them try another token', async () => {
  const { workspaceId } = await createWorkspace(server, 'Not Yours');
  const stranger = await signIn(server, uniqueEmail('stranger'));
  const page = await openSignedIn(`/invitations/${workspaceId}`, stranger.token);
  await title(page, 'No pending invitation');
  expect(await body(page)).toContain(`There is no pending invitation for ${stranger.email} to this workspace.`);
  expect(await page.getByRole('button', { name: 'Accept' }).isHidden()).toBe(true);
  await page.getByRole('button', { name: 'Sign out and try another token' }).click();
  await page.getByLabel('Token').waitFor();
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('activity.token'))).toBeNull();
  await page.close();
});

it('tells a member who has joined already, with the way to the Activity Center', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Home Base');
  const page = await openSignedIn(`/invitations/${workspaceId}`, admin.token);
  await title(page, 'You are a member of Home Base');
  expect(await body(page)).toBe('You have already joined Home Base.');
  expect(await page.getByRole('link', { name: 'Open the Activity Center' }).isVisible()).toBe(true);
  await page.close();
});

it('asks for a token again when it is not accepted, or stops being accepted', async () => {
  const { workspaceId, admin } = await createWorkspace(server, 'Expiring');
  const invitee = await invite(admin, workspaceId);
  const page = await openSignedIn(invitee.path, 'not-a-token');
  await page.getByRole('alert').filter({ hasText: 'That token was not accepted' }).waitFor();
  expect(await page.locator('#invitation').isHidden()).toBe(true);

  // A token that expires while the page is open: the answer is refused, the sign-in form is back.
  const expiresAt = Date.now() + 4_000;
  const shortLived = await mintToken(TEST_SECRET, { sub: `test|${invitee.email}`, email: invitee.email }, '4s');
  await page.getByLabel('Token').fill(shortLived);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await title(page, 'Join Expiring?');
  await page.waitForTimeout(Math.max(0, expiresAt - Date.now()) + 1_500);
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('alert').filter({ hasText: 'Your token is no longer accepted' }).waitFor();
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('activity.token'))).toBeNull();
  expect((await membershipOf(server, workspaceId, invitee.id))!.status).toBe('INVITED');
  await page.close();
});

it('shows names from users as text: markup in a workspace name makes no element', async () => {
  const name = '<img src=x onerror="globalThis.pwned=1">';
  const { workspaceId, admin } = await createWorkspace(server, name);
  const invitee = await invite(admin, workspaceId);
  const page = await openSignedIn(invitee.path, await server.token(invitee.email));
  await title(page, `Join ${name}?`);
  expect(await body(page)).toContain(`invited you to join ${name} as Member.`);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (globalThis as any).pwned)).toBeUndefined();
  await page.close();
});

it('serves the page for a workspace id with strict headers, and its files from /invitations/assets', async () => {
  const { workspaceId } = await createWorkspace(server);
  const res = await fetch(`${base}/invitations/${workspaceId}`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  expect(res.headers.get('content-security-policy')).toBe(
    "default-src 'self'; connect-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  );
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(await res.text()).not.toMatch(/https?:\/\//);
  const script = await fetch(`${base}/invitations/assets/app.js`);
  expect(script.status).toBe(200);
  expect(script.headers.get('content-type')).toMatch(/javascript/);
  expect(script.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect((await fetch(`${base}/invitations/assets/%2e%2e/%2e%2e/package.json`)).status).toBe(404);
});
