import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { createWorkspace, signIn, type Person } from '../support/fixtures';
import { launchBrowser } from '../support/browser';
import { ok, startTestServer, type TestServer } from '../support/harness';

/**
 * The Activity Center page in a real browser (headless chromium) against a test server: the
 * table as the API has it, live changes without a reload, and a killed socket that the page
 * survives with nothing missed. Leaves a screenshot in test-output/ (a CI artifact).
 */

const OUTPUT = join(__dirname, '..', '..', 'test-output');
// A browser, a server and some forty API calls: generous on a shared, busy machine (embedded PGlite serialises).
jest.setTimeout(180_000);

let server: TestServer;
let browser: { context: BrowserContext; close(): Promise<void> };
let base: string;
/** The server side of every WebSocket the service accepted: killing them is the network failing. */
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = await startTestServer();
  base = server.url.replace(/\/graphql$/, '');
  server.service.app.httpServer.on('upgrade', (_req, socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const api = {
  resource: async (who: Person, workspaceId: string, kind: 'createProject' | 'createDataset', name: string): Promise<string> =>
    ok(await server.gql(`mutation($input: CreateResourceInput!) { ${kind}(input: $input) { id } }`, { input: { workspaceId, name } }, who.token))[kind].id,
  start: async (who: Person, input: Record<string, unknown>): Promise<string> =>
    ok(await server.gql(`mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input }, who.token)).startJob.id,
  progress: async (who: Person, jobId: string, progress: number) =>
    ok(await server.gql(`mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id } }`, { input: { jobId, progress } }, who.token)),
  complete: async (who: Person, jobId: string) => ok(await server.gql(`mutation($id: ID!) { completeJob(jobId: $id) { id } }`, { id: jobId }, who.token)),
  fail: async (who: Person, jobId: string, errorMessage: string, errorDetails: string) =>
    ok(await server.gql(`mutation($input: FailJobInput!) { failJob(input: $input) { id } }`, { input: { jobId, errorMessage, errorDetails } }, who.token)),
  cancel: async (who: Person, jobId: string) => ok(await server.gql(`mutation($id: ID!) { cancelJob(jobId: $id) { id } }`, { id: jobId }, who.token)),
};

/** What the page sent and received on its sockets: subscriptions (with `after`) and event cursors. */
interface Wire {
  subscribes: Array<{ after: string | null }>;
  /** Per subscription (in order), the cursors of the events it delivered. */
  received: string[][];
}

function watchWire(page: Page): Wire {
  const wire: Wire = { subscribes: [], received: [] };
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type !== 'subscribe') return;
      wire.subscribes.push({ after: message.payload.variables.after ?? null });
      wire.received.push([]);
    });
    ws.on('framereceived', ({ payload }) => {
      const message = JSON.parse(String(payload));
      if (message.type === 'next' && message.payload.data?.jobEvents) wire.received[wire.received.length - 1].push(message.payload.data.jobEvents.cursor);
    });
  });
  return wire;
}

/** The seq inside a feed cursor (the test peeks; clients treat cursors as opaque). */
const seqOf = (cursor: string): number => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))[1];

const row = (page: Page, jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);

async function expectRow(page: Page, jobId: string, want: { type?: string; status: string; percent: number; user?: string }) {
  const tr = row(page, jobId);
  await tr.locator('.status', { hasText: want.status }).waitFor({ timeout: 10_000 });
  await tr.locator('.percent', { hasText: `${want.percent}%` }).waitFor({ timeout: 10_000 });
  expect(await tr.locator('progress').evaluate((bar) => (bar as unknown as { value: number }).value)).toBeCloseTo(want.percent / 100, 5);
  if (want.type) expect(await tr.locator('.job-type').textContent()).toBe(want.type);
  if (want.user) expect(await tr.locator('.user-name').textContent()).toBe(want.user);
}

it('shows the jobs, follows them live, and resumes after the socket dies with nothing missed', async () => {
  // A workspace with jobs of every kind and state, made through the API.
  await signIn(server, 'ada@pixels.test', 'Ada Admin'); // her name comes with her first sign-in
  const { workspaceId, admin } = await createWorkspace(server, 'Pixels & Co', 'ada@pixels.test');
  const max = await signIn(server, 'max@pixels.test', 'Max Manager');
  await server.db.query(`INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) VALUES ($1, $2, 'MEMBER', 'JOINED', now(), now())`, [
    workspaceId,
    max.id,
  ]);
  const project = await api.resource(admin, workspaceId, 'createProject', 'Street scenes');
  const dataset = await api.resource(admin, workspaceId, 'createDataset', 'Dashcam 2026');
  ok(
    await server.gql(`mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`, {
      input: { workspaceId, userId: max.id, resourceType: 'PROJECT', resourceIds: [project], role: 'TEAM_MANAGER' },
    }, admin.token),
  );
  const imported = await api.start(admin, { workspaceId, type: 'DATA_IMPORT', datasetId: dataset, folderName: 'dashcam/2026-11' });
  await api.progress(admin, imported, 0.5);
  await api.complete(admin, imported);
  const training = await api.start(max, { workspaceId, type: 'MODEL_TRAINING', projectId: project });
  await api.progress(max, training, 0.42);
  await api.fail(max, training, 'GPU out of memory', 'CUDA error: out of memory\n  at epoch 3, batch 118');
  const labels = await api.start(admin, { workspaceId, type: 'LABEL_IMPORT', projectId: project });
  await api.progress(admin, labels, 0.3);
  const stopped = await api.start(max, { workspaceId, type: 'LABEL_IMPORT', projectId: project });
  await api.cancel(max, stopped);

  const page = await browser.context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const wire = watchWire(page);

  // Sign in with a token; the only workspace is picked.
  await page.goto(`${base}/activity`);
  await page.getByLabel('Token').fill(admin.token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const connection = page.locator('#connection');
  await page.locator('#connection[data-state="live"]').waitFor();
  expect(await connection.textContent()).toContain('Live');
  expect(await page.locator('#workspace option:checked').textContent()).toContain('Pixels & Co');
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('activity.token'))).toBe(admin.token);

  // The table: newest first, with type, status, progress, who ran it, times and actions.
  await page.locator('#rows tr').nth(3).waitFor();
  expect(await page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => (tr as any).dataset.jobId))).toEqual([stopped, labels, training, imported]);
  await expectRow(page, imported, { type: 'Data import', status: 'Success', percent: 100, user: 'Ada Admin' });
  expect(await row(page, imported).locator('.user-email').textContent()).toBe('ada@pixels.test');
  await expectRow(page, training, { type: 'Model training', status: 'Error', percent: 42, user: 'Max Manager' });
  await expectRow(page, labels, { type: 'Label import', status: 'Processing', percent: 30 });
  await expectRow(page, stopped, { type: 'Label import', status: 'Cancelled', percent: 0 });
  expect(await row(page, imported).locator('.job-target').textContent()).toBe('Dashcam 2026');
  expect(await row(page, labels).locator('.finished time').textContent()).toBe('—');
  expect(await row(page, imported).locator('.finished time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);
  expect(await page.locator('#summary').textContent()).toBe('4 jobs');
  // Actions: the folder of an import, the details of an error, Cancel on the running job (activity-actions.test.ts acts).
  expect(await row(page, labels).locator('.actions button').allTextContents()).toEqual(['Cancel']);
  await row(page, training).getByRole('button', { name: /error details/i }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  expect(await dialog.locator('h2').textContent()).toBe('Model training failed');
  expect(await dialog.textContent()).toContain('GPU out of memory');
  expect(await dialog.locator('pre').textContent()).toBe('CUDA error: out of memory\n  at epoch 3, batch 118');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
  await row(page, imported).getByRole('button', { name: /view the folder/i }).click();
  expect(await dialog.textContent()).toContain('dashcam/2026-11');
  await dialog.getByRole('button', { name: 'Close' }).click();

  // Filters: by status, then by type; the list comes from the API with the filter.
  await page.getByLabel('Status').selectOption('ERROR');
  await page.locator('#summary', { hasText: '1 job (error)' }).waitFor();
  expect(await page.locator('#rows tr').count()).toBe(1);
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Type').selectOption('LABEL_IMPORT');
  await page.locator('#summary', { hasText: '2 jobs (label import)' }).waitFor();
  expect(await page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => (tr as any).dataset.jobId))).toEqual([stopped, labels]);
  expect(page.url()).toContain('type=LABEL_IMPORT');
  await page.getByLabel('Type').selectOption('');
  await page.locator('#summary', { hasText: '4 jobs' }).waitFor();
  await page.locator('#connection[data-state="live"]').waitFor();

  // Live: a job started, progressing and finishing through the API shows up without a reload.
  await page.evaluate(() => ((globalThis as any).notReloaded = true));
  const live = await api.start(admin, { workspaceId, type: 'DATA_IMPORT', datasetId: dataset, folderName: 'dashcam/2026-12' });
  await expectRow(page, live, { type: 'Data import', status: 'Processing', percent: 0 });
  expect(await page.locator('#rows tr').first().getAttribute('data-job-id')).toBe(live);
  await api.progress(admin, live, 0.4);
  await expectRow(page, live, { status: 'Processing', percent: 40 });
  await api.complete(admin, live);
  await expectRow(page, live, { status: 'Success', percent: 100 });
  expect(await page.locator('#summary').textContent()).toBe('5 jobs');

  // The network fails: every socket dies, and the browser cannot reconnect for a while.
  const lastBeforeKill = wire.received.at(-1)!.at(-1)!;
  await browser.context.setOffline(true);
  expect(sockets.size).toBeGreaterThan(0);
  for (const socket of sockets) socket.destroy();
  await page.locator('#connection[data-state="reconnecting"]').waitFor();
  expect(await connection.textContent()).toMatch(/Connection lost/);

  // Meanwhile, jobs change.
  await api.progress(admin, labels, 0.6);
  await api.complete(admin, labels);
  const failing = await api.start(max, { workspaceId, type: 'MODEL_TRAINING', projectId: project });
  await api.progress(max, failing, 0.2);
  await api.fail(max, failing, 'Training diverged', 'loss is NaN at epoch 2');
  const running = await api.start(admin, { workspaceId, type: 'LABEL_IMPORT', projectId: project });
  await api.progress(admin, running, 0.65);

  // Back online: the page resumes from its last cursor and catches up.
  await browser.context.setOffline(false);
  await page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
  await expectRow(page, labels, { status: 'Success', percent: 100 });
  await expectRow(page, failing, { type: 'Model training', status: 'Error', percent: 20, user: 'Max Manager' });
  await expectRow(page, running, { type: 'Label import', status: 'Processing', percent: 65 });
  expect(await page.locator('#rows tr').count()).toBe(7);
  expect(await page.locator('#summary').textContent()).toBe('7 jobs');
  expect(await page.evaluate(() => (globalThis as any).notReloaded)).toBe(true);

  // Nothing missed, nothing twice: the new subscription asked for the events after the last
  // one the page had, and the events before and after the failure follow each other exactly.
  const [before, after] = wire.received.slice(-2);
  expect(wire.subscribes.at(-1)!.after).toBe(lastBeforeKill);
  const seqs = [...before, ...after].map(seqOf);
  const first = seqOf(wire.subscribes.at(-2)!.after!) + 1;
  expect(seqs).toEqual(seqs.map((_, i) => first + i));
  const [{ last }] = await server.db.query(`SELECT last_event_seq AS last FROM workspaces WHERE id = $1`, [workspaceId]);
  expect(seqs.at(-1)).toBe(Number(last));
  expect(after.length).toBe(7); // the seven changes made while the page was away

  mkdirSync(OUTPUT, { recursive: true });
  await page.mouse.move(0, 0);
  await page.waitForFunction(() => (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
  await page.screenshot({ path: join(OUTPUT, 'activity-center.png'), fullPage: true });
  expect(pageErrors).toEqual([]);
  await page.close();
});

it('asks for a token again when the one it has is refused', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${base}/activity/`);
  await page.getByLabel('Token').fill('not-a-token');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('alert').filter({ hasText: 'not accepted' }).waitFor();
  expect(await page.locator('#activity').isHidden()).toBe(true);
  expect(await page.evaluate(() => (globalThis as any).sessionStorage.getItem('activity.token'))).toBeNull();
  await page.close();
});

it('serves the page with no third-party origin and the graphql-ws client from the service', async () => {
  const html = await (await fetch(`${base}/activity/`)).text();
  expect(html).not.toMatch(/https?:\/\//);
  const res = await fetch(`${base}/activity/vendor/graphql-ws.min.js`);
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('graphqlWs');
  const page = await fetch(`${base}/activity/`);
  expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect((await fetch(`${base}/activity/%2e%2e/package.json`)).status).toBe(404);
});
