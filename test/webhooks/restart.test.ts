import pino from 'pino';
import { startService, type RunningService } from '../../src/bootstrap';
import { appendJobEvent } from '../../src/events/job-event-log';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, testConfig, type TestServer } from '../support/harness';
import { createResource, ok, progress, started } from '../jobs/fixtures';
import { CREATE_WEBHOOK, FAST_WEBHOOKS, seqOf, startReceiver, WEBHOOKS, type Receiver } from './receiver';

/** Deliveries live in the database: a service stopped and another started on it delivers the rest, once each. */
const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
let server: TestServer;
let receiver: Receiver;
let receiving = false;
const started_: RunningService[] = [];
beforeAll(async () => {
  server = await startTestServer(FAST_WEBHOOKS);
  receiver = await startReceiver(() => (receiving ? 200 : 503));
});
afterAll(async () => {
  for (const s of started_) await s.close().catch(() => undefined);
  await server.close();
  await receiver.close();
});

/** Another service on the same database (with PGlite, the same embedded database handed in). */
async function another(overrides: Record<string, string> = {}): Promise<RunningService> {
  const config = testConfig({ ...FAST_WEBHOOKS, ...overrides, ...(process.env.TEST_DATABASE_URL ? { DATABASE_URL: (server.db.options as any).url } : {}) });
  const s = await startService(config, log, process.env.TEST_DATABASE_URL ? { host: '127.0.0.1' } : { database: server.database, host: '127.0.0.1' });
  started_.push(s);
  return s;
}

it('delivers, after a restart, what was pending and what was committed while no service ran, each once and in order', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  const { webhook } = ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: receiver.url } }, admin.token)).createWebhook;
  const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
  for (const p of [0.25, 0.5]) ok(await progress(server, admin, job.id, p));
  await receiver.until(() => receiver.requests.length >= 2, 'failed attempts');
  await server.service.services.webhooks.stop(); // the service's sender goes down with deliveries pending
  // Events committed while no sender runs (as another writer of the log would).
  await server.db.transaction(async (tx) => {
    for (const p of [0.75, 0.9]) await appendJobEvent(tx, { id: job.id, workspaceId, userId: admin.id, type: 'MODEL_TRAINING', status: 'PROCESSING', progress: p });
  });
  receiving = true;
  const before = receiver.requests.length;
  await another();
  await receiver.until(() => new Set(receiver.delivered()).size === 5, 'five deliveries');
  await new Promise((r) => setTimeout(r, 800));
  const delivered = receiver.delivered();
  expect(delivered).toHaveLength(5); // each once
  expect(delivered.map(seqOf)).toEqual([...delivered.map(seqOf)].sort((a, b) => a - b));
  expect(receiver.requests.slice(before).map((q) => q.json.event.progress)).toEqual([0, 0.25, 0.5, 0.75, 0.9]);
  const nodes = ok(await server.gql(WEBHOOKS, { w: workspaceId }, admin.token)).workspace.webhooks.find((h: any) => h.id === webhook.id).deliveries.nodes;
  expect(nodes.map((d: any) => d.status)).toEqual(Array(5).fill('DELIVERED'));
  expect(nodes[4].attempts).toBeGreaterThan(1);
});

it('gives a delivery up (FAILED) when it still fails after the time allowed, and goes on with the next', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  const r = await startReceiver(() => 500);
  try {
    const { webhook } = ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: r.url } }, admin.token)).createWebhook;
    // Only the service giving up after a second sends from here on.
    for (const s of started_) await s.services.webhooks.stop();
    const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
    ok(await progress(server, admin, job.id, 0.5));
    await another({ WEBHOOK_GIVE_UP_AFTER_MS: '1000' });
    const statuses = async () =>
      ok(await server.gql(WEBHOOKS, { w: workspaceId }, admin.token)).workspace.webhooks.find((h: any) => h.id === webhook.id).deliveries.nodes.map((d: any) => d.status);
    await r.until(async () => (await statuses()).join() === 'FAILED,FAILED', 'both deliveries given up', 20_000);
    // In order: every attempt at the first came before any at the second.
    const ids = r.requests.map((q) => q.deliveryId);
    expect(ids.lastIndexOf(ids[0])).toBeLessThan(ids.findIndex((id) => id !== ids[0]));
  } finally {
    await r.close();
  }
});
