import { mkdirSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createWorkspace, signIn, type Person } from '../support/fixtures';
import { launchBrowser } from '../support/browser';
import { ok, startTestServer, type TestServer } from '../support/harness';

/**
 * The Activity Center as an operator uses it, in headless chromium against the real service:
 * cancel and retry, the buttons only where viewerCan allows, sort, filters and pages kept in
 * the URL, durations and stale jobs, folder links, the 360 px layout, and a lost connection
 * with its countdown, "Retry now" and the stale table. Screenshots go to test-output/.
 */

const OUTPUT = join(__dirname, '..', '..', 'test-output');
/** Status sorts in the schema's order, PROCESSING, SUCCESS, ERROR, CANCELLED (the jobs of the sort test, ascending). */
const STATUS_ORDER_ASC = ['PROCESSING', 'PROCESSING', 'SUCCESS', 'SUCCESS', 'ERROR'];
jest.setTimeout(240_000);

let server: TestServer;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let base: string;
let ada: Person;
let max: Person;
/** The server side of every WebSocket; while `refuseSockets`, new ones are cut at once (the network is down). */
const sockets = new Set<Socket>();
let refuseSockets = false;

beforeAll(async () => {
  // No heartbeat sweep during the test: a job past its heartbeat stays PROCESSING (and stale) to be looked at.
  server = await startTestServer({ HEARTBEAT_SWEEP_MS: '3600000' });
  base = server.url.replace(/\/graphql$/, '');
  server.service.app.httpServer.prependListener('upgrade', (_req, socket: Socket) => {
    if (refuseSockets) return void socket.destroy();
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  browser = await launchBrowser();
  mkdirSync(OUTPUT, { recursive: true });
  ada = await signIn(server, 'ada@pixels.test', 'Ada Admin');
  max = await signIn(server, 'max@pixels.test', 'Max Member');
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const gql = async (who: Person | string, query: string, variables: Record<string, unknown> = {}) =>
  ok(await server.gql(query, variables, typeof who === 'string' ? who : who.token));

const api = {
  start: async (who: Person | string, input: Record<string, unknown>): Promise<string> =>
    (await gql(who, `mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input })).startJob.id,
  progress: (who: Person, jobId: string, progress: number) =>
    gql(who, `mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id } }`, { input: { jobId, progress } }),
  complete: (who: Person, jobId: string) => gql(who, `mutation($id: ID!) { completeJob(jobId: $id) { id } }`, { id: jobId }),
  fail: (who: Person, jobId: string, errorMessage = 'It broke') =>
    gql(who, `mutation($input: FailJobInput!) { failJob(input: $input) { id } }`, { input: { jobId, errorMessage } }),
  cancel: (who: Person, jobId: string) => gql(who, `mutation($id: ID!) { cancelJob(jobId: $id) { id } }`, { id: jobId }),
  apiKey: async (who: Person, workspaceId: string, name: string, scopes: string[]): Promise<string> =>
    (await gql(who, `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { key } }`, { input: { workspaceId, name, scopes } })).createApiKey.key,
};

/** A workspace of Ada's with Max as a MEMBER (TEAM_MANAGER of its project), a project and a dataset. */
async function workspace(name: string) {
  const { workspaceId } = await createWorkspace(server, name, ada.email);
  await server.db.query(`INSERT INTO memberships (workspace_id, user_id, role, status, invited_at, joined_at) VALUES ($1, $2, 'MEMBER', 'JOINED', now(), now())`, [
    workspaceId,
    max.id,
  ]);
  const resource = async (kind: 'createProject' | 'createDataset', resourceName: string): Promise<string> =>
    (await gql(ada, `mutation($input: CreateResourceInput!) { ${kind}(input: $input) { id } }`, { input: { workspaceId, name: resourceName } }))[kind].id;
  const project = await resource('createProject', 'Street scenes');
  const dataset = await resource('createDataset', 'Dashcam 2026');
  await gql(ada, `mutation($input: AssignUserInput!) { assignUser(input: $input) { role } }`, {
    input: { workspaceId, userId: max.id, resourceType: 'PROJECT', resourceIds: [project], role: 'TEAM_MANAGER' },
  });
  const labels = (who: Person | string = ada) => api.start(who, { workspaceId, type: 'LABEL_IMPORT', projectId: project });
  return { workspaceId, project, dataset, labels };
}

/** A tab signed in with a token, on /activity/<query>, once the feed is live. */
async function openPage(token: string, query = '', options: { clock?: boolean } = {}): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  (page as any).errors = errors;
  if (options.clock) await page.clock.install();
  await page.goto(`${base}/activity/${query}`);
  await page.getByLabel('Token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await live(page);
  return page;
}

async function closePage(page: Page) {
  expect((page as any).errors).toEqual([]);
  await page.close();
}

const live = (page: Page) => page.locator('#connection[data-state="live"]').waitFor({ timeout: 20_000 });
const row = (page: Page, jobId: string) => page.locator(`tr[data-job-id="${jobId}"]`);
const rowIds = (page: Page): Promise<string[]> => page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => (tr as any).dataset.jobId));
const buttons = (page: Page, jobId: string): Promise<string[]> => row(page, jobId).locator('.action-buttons > *').allTextContents();
const query = (page: Page) => Object.fromEntries(new URL(page.url()).searchParams);

async function settled(page: Page) {
  await page.mouse.move(0, 0);
  await page.waitForFunction(() => (globalThis as any).document.getAnimations().every((a: any) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity));
}

async function screenshot(page: Page, name: string) {
  await settled(page);
  await page.screenshot({ path: join(OUTPUT, name), fullPage: true });
}

/** Waits for the table to show these jobs in this order, after a change of view. */
async function expectRows(page: Page, ids: string[]) {
  await page.waitForFunction(
    (want) => JSON.stringify([...(globalThis as any).document.querySelectorAll('#rows tr')].map((tr: any) => tr.dataset.jobId)) === want,
    JSON.stringify(ids),
    { timeout: 10_000 },
  );
  await page.locator('#jobs[aria-busy="false"]').waitFor();
}

it('cancels (after a confirmation) and retries a job from the page; a refused action says why in the row', async () => {
  const ws = await workspace('Actions');
  const running = await ws.labels();
  await api.progress(ada, running, 0.3);
  const finishedBehindItsBack = await ws.labels();
  const page = await openPage(ada.token);

  expect(await buttons(page, running)).toEqual(['Cancel']);
  // The confirmation: "keep it" changes nothing.
  await row(page, running).getByRole('button', { name: 'Cancel this label import' }).click();
  const confirm = page.getByRole('dialog', { name: 'Cancel this label import?' });
  await confirm.waitFor();
  expect(await confirm.textContent()).toContain('The label import of Street scenes stops where it is (30% done)');
  await screenshot(page, 'activity-action-cancel-confirm.png');
  await confirm.getByRole('button', { name: 'Keep it running' }).click();
  await confirm.waitFor({ state: 'hidden' });
  const [{ status: still }] = await server.db.query(`SELECT status FROM jobs WHERE id = $1`, [running]);
  expect(still).toBe('PROCESSING');
  expect(await page.evaluate(() => (globalThis as any).document.activeElement?.textContent)).toBe('Cancel');

  // Cancel for real: the row turns Cancelled, says by whom, and offers Retry instead.
  await row(page, running).getByRole('button', { name: 'Cancel this label import' }).click();
  await confirm.getByRole('button', { name: 'Cancel job' }).click();
  await row(page, running).locator('.status', { hasText: 'Cancelled' }).waitFor();
  expect(await row(page, running).locator('.cancelled-by').textContent()).toBe('by Ada Admin');
  await page.waitForFunction((id) => (globalThis as any).document.querySelector(`tr[data-job-id="${id}"] .action-retry`), running);
  expect(await buttons(page, running)).toEqual(['Retry']);
  const [{ status: cancelled }] = await server.db.query(`SELECT status FROM jobs WHERE id = $1`, [running]);
  expect(cancelled).toBe('CANCELLED');

  // Retry: a new PROCESSING job comes first, and the feed agrees with the answer.
  await row(page, running).getByRole('button', { name: 'Retry this label import' }).click();
  await page.locator('#summary', { hasText: '3 jobs' }).waitFor();
  const [{ id: retried }] = await server.db.query(`SELECT id FROM jobs WHERE retry_of = $1`, [running]);
  expect((await rowIds(page))[0]).toBe(retried);
  await row(page, retried).locator('.status', { hasText: 'Processing' }).waitFor();
  expect(await buttons(page, retried)).toEqual(['Cancel']);
  await screenshot(page, 'activity-action-retried.png');

  // A job finished where the page could not see it (no event): the service refuses, the row says why.
  await server.db.query(`UPDATE jobs SET status = 'SUCCESS', progress = 1, finished_at = now() WHERE id = $1`, [finishedBehindItsBack]);
  await row(page, finishedBehindItsBack).getByRole('button', { name: 'Cancel this label import' }).click();
  await confirm.getByRole('button', { name: 'Cancel job' }).click();
  const refusal = row(page, finishedBehindItsBack).getByRole('alert');
  await refusal.filter({ hasText: 'only a PROCESSING job changes' }).waitFor();
  expect(await refusal.textContent()).toBe('This job is SUCCESS: only a PROCESSING job changes');
  expect(await row(page, finishedBehindItsBack).locator('.status').textContent()).toBe('Success'); // the row re-read
  expect(await buttons(page, finishedBehindItsBack)).toEqual([]);
  await screenshot(page, 'activity-action-refused.png');
  await closePage(page);
});

it('shows Cancel and Retry only where viewerCan allows them', async () => {
  const ws = await workspace('Permissions');
  const maxDone = await ws.labels(max);
  await api.complete(max, maxDone);
  const maxRunning = await ws.labels(max);
  const maxFailed = await ws.labels(max);
  await api.fail(max, maxFailed);
  const adaRunning = await ws.labels(ada);

  // Max, a MEMBER: only his own jobs; Cancel on the running one, Retry on the failed one, nothing on the finished one.
  const asMax = await openPage(max.token, `?workspace=${ws.workspaceId}`);
  await expectRows(asMax, [maxFailed, maxRunning, maxDone]);
  expect(await buttons(asMax, maxDone)).toEqual([]);
  expect(await buttons(asMax, maxRunning)).toEqual(['Cancel']);
  expect(await buttons(asMax, maxFailed)).toEqual(['Error details', 'Retry']);
  await closePage(asMax);

  // A READ-only API key of Ada's: sees every job, may act on none.
  const readKey = await api.apiKey(ada, ws.workspaceId, 'dashboard', ['READ']);
  const asKey = await openPage(readKey);
  await expectRows(asKey, [adaRunning, maxFailed, maxRunning, maxDone]);
  for (const id of [adaRunning, maxFailed, maxRunning, maxDone]) expect(await buttons(asKey, id)).not.toContain('Cancel');
  expect(await buttons(asKey, maxFailed)).toEqual(['Error details']);
  await closePage(asKey);
});

it('sorts and filters on the server, keeps it all in the URL, and a reload or Back restores it', async () => {
  const ws = await workspace('Views');
  const january = await ws.labels(max);
  await api.complete(max, january);
  const february = await ws.labels(ada);
  await api.fail(ada, february);
  const adaDone = await ws.labels(ada);
  await api.complete(ada, adaDone);
  const maxRunning = await ws.labels(max);
  const imported = await api.start(ada, { workspaceId: ws.workspaceId, type: 'DATA_IMPORT', datasetId: ws.dataset, folderName: 'in' });
  await server.db.query(`UPDATE jobs SET created_at = '2026-01-15T12:00:00Z', finished_at = '2026-01-15T13:00:00Z' WHERE id = $1`, [january]);
  await server.db.query(`UPDATE jobs SET created_at = '2026-02-10T12:00:00Z', finished_at = '2026-02-10T12:30:00Z' WHERE id = $1`, [february]);
  const page = await openPage(ada.token, `?workspace=${ws.workspaceId}`);
  await expectRows(page, [imported, maxRunning, adaDone, february, january]);

  // Sort: by finished, oldest first (unfinished last), then by status.
  await page.getByLabel('Sort by').selectOption('finished');
  await page.getByLabel('Order').selectOption('asc');
  await page.waitForFunction(() => (globalThis as any).location.search.includes('dir=asc'));
  await page.locator('#jobs[aria-busy="false"]').waitFor();
  const byFinished = await rowIds(page);
  expect(byFinished.slice(0, 3)).toEqual([january, february, adaDone]);
  expect(new Set(byFinished.slice(3))).toEqual(new Set([imported, maxRunning]));
  expect(query(page)).toMatchObject({ sort: 'finished', dir: 'asc' });
  expect(await page.locator('th[aria-sort="ascending"]').textContent()).toBe('Started / finished');
  await page.getByLabel('Sort by').selectOption('status');
  await page.waitForFunction(() => (globalThis as any).location.search.includes('sort=status'));
  await page.locator('#jobs[aria-busy="false"]').waitFor();
  const byStatus = await rowIds(page);
  const statuses = await page.locator('#rows tr').evaluateAll((trs) => trs.map((tr) => (tr as any).dataset.status));
  expect(statuses).toEqual(STATUS_ORDER_ASC);
  await page.reload();
  await live(page);
  expect(await page.getByLabel('Sort by').inputValue()).toBe('status');
  expect(await page.getByLabel('Order').inputValue()).toBe('asc');
  await expectRows(page, byStatus);

  // Filters, one by one; each in the URL.
  await page.getByLabel('Sort by').selectOption('created');
  await page.getByLabel('Order').selectOption('desc');
  await page.getByLabel('Type').selectOption('DATA_IMPORT');
  await expectRows(page, [imported]);
  expect(query(page)).toMatchObject({ type: 'DATA_IMPORT' });
  await page.getByLabel('Type').selectOption('');
  await page.getByLabel('Status').selectOption('SUCCESS');
  await expectRows(page, [adaDone, january]);
  expect(query(page)).toMatchObject({ status: 'SUCCESS' });
  await page.getByLabel('Status').selectOption('');
  await page.getByLabel('Run by').selectOption({ label: 'Max Member (max@pixels.test)' });
  await expectRows(page, [maxRunning, january]);
  expect(query(page)).toMatchObject({ user: max.id });
  await page.getByLabel('Run by').selectOption('');
  await page.getByLabel('From', { exact: true }).fill('2026-01-01');
  await page.getByLabel('To', { exact: true }).fill('2026-02-10');
  await expectRows(page, [february, january]);
  expect(query(page)).toMatchObject({ from: '2026-01-01', to: '2026-02-10' });
  await page.getByLabel('Run by').selectOption(max.id);
  await expectRows(page, [january]);
  expect(await page.locator('#summary').textContent()).toBe('1 job (filtered)');
  await screenshot(page, 'activity-filters.png');

  // A reload brings the same view back; Back the one before the last change.
  await page.reload();
  await live(page);
  await expectRows(page, [january]);
  expect(await page.getByLabel('Run by').inputValue()).toBe(max.id);
  expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('2026-01-01');
  expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe('2026-02-10');
  await page.goBack();
  await expectRows(page, [february, january]);
  expect(await page.getByLabel('Run by').inputValue()).toBe('');
  await page.goForward();
  await expectRows(page, [january]);

  // The "run by" filter is for ADMINs: Max does not get it, and a user in his URL changes nothing.
  const asMax = await openPage(max.token, `?workspace=${ws.workspaceId}&user=${ada.id}`);
  expect(await asMax.getByLabel('Run by').isHidden()).toBe(true);
  await expectRows(asMax, [maxRunning, january]);
  await closePage(asMax);
  await closePage(page);
});

it('pages through the jobs with Next and Previous, "page N of M" from totalCount, the page size in the URL', async () => {
  const ws = await workspace('Pages');
  const ids: string[] = [];
  for (let i = 0; i < 23; i++) ids.push(await ws.labels());
  const newestFirst = [...ids].reverse();
  const page = await openPage(ada.token, `?workspace=${ws.workspaceId}&size=10`);
  await expectRows(page, newestFirst.slice(0, 10));
  expect(await page.locator('#page-of').textContent()).toBe('Page 1 of 3');
  expect(await page.getByRole('button', { name: 'Previous' }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Next' }).click();
  await expectRows(page, newestFirst.slice(10, 20));
  expect(await page.locator('#page-of').textContent()).toBe('Page 2 of 3');
  await page.getByRole('button', { name: 'Next' }).click();
  await expectRows(page, newestFirst.slice(20));
  expect(await page.locator('#page-of').textContent()).toBe('Page 3 of 3');
  expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expectRows(page, newestFirst.slice(10, 20));
  await page.getByRole('button', { name: 'Previous' }).click();
  await expectRows(page, newestFirst.slice(0, 10));
  await page.getByLabel('Per page').selectOption('25');
  await expectRows(page, newestFirst);
  expect(await page.locator('#page-of').textContent()).toBe('Page 1 of 1');
  expect(query(page)).not.toHaveProperty('size'); // 25 is the default

  // A job started while page 2 is shown: not slipped in there, but said; page 1 has it.
  await page.getByLabel('Per page').selectOption('10');
  await page.getByRole('button', { name: 'Next' }).click();
  await expectRows(page, newestFirst.slice(10, 20));
  const started = await ws.labels();
  await page.locator('#news', { hasText: '1 job changed outside this page.' }).waitFor();
  await page.getByRole('button', { name: 'Refresh' }).click();
  await page.locator('#summary', { hasText: '24 jobs' }).waitFor();
  await expectRows(page, newestFirst.slice(10, 20));
  expect(await page.locator('#news').isHidden()).toBe(true);
  await page.getByRole('button', { name: 'Previous' }).click();
  await expectRows(page, [started, ...newestFirst.slice(0, 9)]);
  await page.getByRole('button', { name: 'Next' }).click();
  await expectRows(page, newestFirst.slice(9, 19));
  await closePage(page);
});

it('ticks durations, says when a job last reported, and marks a silent PROCESSING job stale', async () => {
  const ws = await workspace('Heartbeats');
  const silent = await ws.labels();
  const slowButFine = await api.start(ada, { workspaceId: ws.workspaceId, type: 'LABEL_IMPORT', projectId: ws.project, heartbeatSeconds: 600 });
  const overdue = await api.start(ada, { workspaceId: ws.workspaceId, type: 'LABEL_IMPORT', projectId: ws.project, heartbeatSeconds: 60 });
  const fresh = await ws.labels();
  const done = await ws.labels();
  await api.complete(ada, done);
  await server.db.query(`UPDATE jobs SET created_at = now() - interval '1 hour', last_report_at = now() - interval '10 minutes' WHERE id = $1`, [silent]);
  await server.db.query(`UPDATE jobs SET last_report_at = now() - interval '2 minutes' WHERE id = ANY($1)`, [[slowButFine, overdue]]);
  await server.db.query(`UPDATE jobs SET created_at = finished_at - interval '3 minutes 5 seconds' WHERE id = $1`, [done]);

  const page = await openPage(ada.token, `?workspace=${ws.workspaceId}`, { clock: true });
  const badge = (id: string) => row(page, id).locator('.stale-badge');
  expect(await badge(silent).isVisible()).toBe(true);
  expect(await badge(overdue).isVisible()).toBe(true);
  expect(await badge(slowButFine).isVisible()).toBe(false);
  expect(await badge(fresh).isVisible()).toBe(false);
  expect(await row(page, silent).locator('.last-report time').textContent()).toMatch(/^10 min\.? ago$/);
  expect(await row(page, overdue).locator('.last-report time').textContent()).toMatch(/^2 min\.? ago$/);
  expect(await row(page, done).locator('.duration').textContent()).toBe('3 min 5 s');
  expect(await row(page, silent).locator('.duration').textContent()).toMatch(/^1 h( 0 min)?$|^(59|60) min/);

  // The running job's duration moves with the clock; the finished one's does not.
  const now = await page.evaluate(() => Date.now());
  await page.clock.pauseAt(now + 100);
  await page.clock.runFor(1000); // the last value shown is now the once-a-second tick's
  const before = await row(page, fresh).locator('.duration').textContent();
  await page.clock.runFor(3000);
  await page.waitForFunction(([id, was]) => (globalThis as any).document.querySelector(`tr[data-job-id="${id}"] .duration`).textContent !== was, [fresh, before]);
  const seconds = (text: string | null) => Number(/(\d+) s$/.exec(text ?? '')?.[1]);
  expect(seconds(await row(page, fresh).locator('.duration').textContent())).toBe(seconds(before) + 3);
  expect(await row(page, done).locator('.duration').textContent()).toBe('3 min 5 s');
  // Five minutes later the fresh job is stale too; a report clears it.
  await page.clock.runFor(5 * 60_000);
  await badge(fresh).waitFor();
  await page.clock.resume();
  await api.progress(ada, fresh, 0.5);
  await row(page, fresh).locator('.percent', { hasText: '50%' }).waitFor();
  await page.clock.setSystemTime(Date.now());
  await badge(fresh).waitFor({ state: 'hidden' });
  await screenshot(page, 'activity-stale.png');
  await closePage(page);
});

it('opens an https folder in a new tab, and offers a Copy button for a bucket path', async () => {
  const ws = await workspace('Folders');
  const start = (folderName: string, folderUri?: string) =>
    api.start(ada, { workspaceId: ws.workspaceId, type: 'DATA_IMPORT', datasetId: ws.dataset, folderName, ...(folderUri ? { folderUri } : {}) });
  const web = await start('web', 'https://storage.example.com/dashcam/2026-11/');
  const bucket = await start('bucket', 's3://pixels-raw/dashcam/2026-12/');
  const plain = await start('plain');
  await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
  const page = await openPage(ada.token, `?workspace=${ws.workspaceId}`);

  const link = row(page, web).getByRole('link', { name: /view the folder/i });
  expect(await link.getAttribute('href')).toBe('https://storage.example.com/dashcam/2026-11/');
  expect(await link.getAttribute('target')).toBe('_blank');
  expect(await link.getAttribute('rel')).toContain('noopener');

  await row(page, bucket).getByRole('button', { name: /view the folder/i }).click();
  const dialog = page.getByRole('dialog', { name: 'Storage folder' });
  await dialog.waitFor();
  expect(await dialog.getByLabel('Folder location').inputValue()).toBe('s3://pixels-raw/dashcam/2026-12/');
  await dialog.getByRole('button', { name: 'Copy' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Copied' }).waitFor();
  expect(await page.evaluate(() => (globalThis as any).navigator.clipboard.readText())).toBe('s3://pixels-raw/dashcam/2026-12/');
  await screenshot(page, 'activity-folder-copy.png');
  // Without the Clipboard API (an http origin has none): the text is selected for the legacy copy.
  await page.evaluate(() => Object.defineProperty((globalThis as any).navigator, 'clipboard', { value: undefined }));
  await dialog.getByRole('button', { name: 'Copy' }).click();
  const selected = await dialog.getByLabel('Folder location').evaluate((input: any) => input.value.slice(input.selectionStart, input.selectionEnd));
  expect(selected).toBe('s3://pixels-raw/dashcam/2026-12/');
  await page.keyboard.press('Escape');

  await row(page, plain).getByRole('button', { name: /view the folder/i }).click();
  expect(await dialog.textContent()).toContain('plain');
  expect(await dialog.getByLabel('Folder location').count()).toBe(0);
  await dialog.getByRole('button', { name: 'Close' }).click();
  await closePage(page);
});

it('shows who ran a job, through which API key, and who cancelled it', async () => {
  const ws = await workspace('Provenance');
  const key = await api.apiKey(ada, ws.workspaceId, 'nightly-import', ['JOBS']);
  const byKey = await ws.labels(key);
  const cancelled = await ws.labels(max);
  await api.cancel(ada, cancelled);
  const page = await openPage(ada.token, `?workspace=${ws.workspaceId}`);
  expect(await row(page, byKey).locator('.user-line').textContent()).toBe("Ada Admin via key 'nightly-import'");
  expect(await row(page, cancelled).locator('.user-line').textContent()).toBe('Max Member');
  expect(await row(page, cancelled).locator('.cancelled-by').textContent()).toBe('by Ada Admin');
  await closePage(page);
});

it('keeps the actions on screen at 360 px, and survives a lost connection: countdown, Retry now, a stale table until caught up', async () => {
  const ws = await workspace('Narrow & offline');
  const failed = await ws.labels(max);
  await api.fail(max, failed, 'GPU out of memory');
  const done = await api.start(ada, { workspaceId: ws.workspaceId, type: 'DATA_IMPORT', datasetId: ws.dataset, folderName: 'dashcam/2026-11', folderUri: 's3://pixels/raw/' });
  await api.complete(ada, done);
  const failedImport = await api.start(ada, { workspaceId: ws.workspaceId, type: 'DATA_IMPORT', datasetId: ws.dataset, folderName: 'dashcam/2026-12', folderUri: 's3://pixels/raw/12/' });
  await api.fail(ada, failedImport, 'Bucket not found');
  const running = await ws.labels();
  await api.progress(ada, running, 0.45);
  const page = await openPage(ada.token, `?workspace=${ws.workspaceId}`, { clock: true });
  expect(await buttons(page, failedImport)).toEqual(['View folder', 'Error details', 'Retry']);
  // 1280 px: the whole table fits, nothing to scroll sideways.
  expect(await page.locator('.table-wrap').evaluate((wrap) => wrap.scrollWidth - wrap.clientWidth)).toBe(0);
  await screenshot(page, 'activity-wide-live.png');

  // 360 px: no sideways scroll, every action button inside the viewport.
  await page.setViewportSize({ width: 360, height: 780 });
  await checkFits(page, 360);
  await screenshot(page, 'activity-narrow-live.png');
  await page.setViewportSize({ width: 1280, height: 760 });

  // The network goes: every socket is cut and new ones are refused.
  refuseSockets = true;
  for (const socket of sockets) socket.destroy();
  const text = page.locator('#connection-text');
  // Stop the page's clock while it waits a few seconds (on a busy machine the wait may end first: again).
  let first: string | null = '';
  for (let attempt = 0; !/retrying in \d+ s/.test(first ?? ''); attempt++) {
    if (attempt > 0) await page.clock.resume();
    expect(attempt).toBeLessThan(5);
    await text.filter({ hasText: /retrying in ([4-9]|1\d) s/ }).waitFor({ timeout: 30_000 });
    // The page's clock runs on meanwhile: a target it has passed already is tried again.
    const paused = await page.clock.pauseAt((await page.evaluate(() => Date.now())) + 250).then(
      () => true,
      (error: Error) => (/to the past/.test(error.message) ? false : Promise.reject(error)),
    );
    first = paused ? await text.textContent() : '';
  }
  const waiting = Number(/retrying in (\d+) s/.exec(first ?? '')?.[1]);
  await page.clock.runFor(1000);
  await text.filter({ hasText: `retrying in ${waiting - 1} s` }).waitFor({ timeout: 5000 }).catch(async () => {
    throw new Error(`the countdown said "${first}", then "${await text.textContent()}" a second later`);
  });
  expect(await page.locator('#connection').getAttribute('role')).toBe('status');
  expect(await page.locator('#jobs').getAttribute('aria-busy')).toBe('true');
  expect(await page.locator('#stale-note').isVisible()).toBe(true);
  expect(await page.locator('#jobs').evaluate((t) => Number((globalThis as any).getComputedStyle(t).opacity))).toBeLessThan(1);

  // Meanwhile jobs change.
  await api.progress(ada, running, 0.8);
  await api.complete(ada, running);
  const meanwhile = await ws.labels(max);

  await screenshot(page, 'activity-wide-disconnected.png');
  await page.setViewportSize({ width: 360, height: 780 });
  await checkFits(page, 360, { retryNow: true });
  await screenshot(page, 'activity-narrow-disconnected.png');
  await page.setViewportSize({ width: 1280, height: 760 });

  // "Retry now" reconnects at once: the page's clock is stopped, so no timer could have done it.
  // The table stays stale until the events missed are in: record what it showed when it went live.
  await page.evaluate((id) => {
    const doc = (globalThis as any).document;
    const seen: string[] = [];
    (globalThis as any).seenStates = seen;
    new (globalThis as any).MutationObserver(() => {
      const state = doc.querySelector('#connection').dataset.state;
      const busy = doc.querySelector('#jobs').getAttribute('aria-busy');
      const entry = `${state} busy=${busy} meanwhile=${Boolean(doc.querySelector(`tr[data-job-id="${id}"]`))}`;
      if (seen.at(-1) !== entry) seen.push(entry);
    }).observe(doc.querySelector('#connection'), { attributes: true, attributeFilter: ['data-state'] });
  }, meanwhile);
  refuseSockets = false;
  await page.getByRole('button', { name: 'Retry now' }).click();
  await live(page);
  await row(page, running).locator('.status', { hasText: 'Success' }).waitFor();
  await row(page, meanwhile).locator('.status', { hasText: 'Processing' }).waitFor();
  expect(await page.locator('#jobs').getAttribute('aria-busy')).toBe('false');
  expect(await page.locator('#stale-note').isHidden()).toBe(true);
  expect(await page.getByRole('button', { name: 'Retry now' }).isHidden()).toBe(true);
  expect(await page.locator('#summary').textContent()).toBe('5 jobs');
  expect(await page.evaluate(() => (globalThis as any).seenStates)).toEqual([
    'reconnecting busy=true meanwhile=false',
    'catching-up busy=true meanwhile=false',
    'live busy=false meanwhile=true',
  ]);
  await page.clock.resume();
  await closePage(page);
});

/** No horizontal scroll, and every row's actions within the viewport's width. */
async function checkFits(page: Page, width: number, { retryNow = false } = {}) {
  expect(await page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
  const actions = page.locator('#rows .action-buttons > *');
  expect(await actions.count()).toBeGreaterThan(0);
  for (const box of await actions.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()))) {
    expect(box.left).toBeGreaterThanOrEqual(0);
    expect(box.right).toBeLessThanOrEqual(width);
    expect(box.width).toBeGreaterThan(20);
  }
  if (retryNow) expect(await page.getByRole('button', { name: 'Retry now' }).evaluate((b) => b.getBoundingClientRect().right)).toBeLessThanOrEqual(width);
}
