import { addMember, countRows, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { COMPLETE_JOB, createResource, ok, progress, settle, started } from '../jobs/fixtures';
import { countQueries } from '../support/query-counter';
import { CREATE_WEBHOOK, DELETE_WEBHOOK, FAST_WEBHOOKS, seqOf, startReceiver, validSignature, WEBHOOKS, type Answer, type Receiver } from './receiver';

let server: TestServer;
const receivers: Receiver[] = [];
beforeAll(async () => {
  server = await startTestServer(FAST_WEBHOOKS);
});
afterAll(async () => {
  await server.close();
  for (const r of receivers) await r.close();
});

async function receiver(plan?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(plan);
  receivers.push(r);
  return r;
}

async function setup() {
  const { workspaceId, admin } = await createWorkspace(server);
  const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
  return { workspaceId, admin, projectId };
}

/** One job's three events: started, half way, done. */
async function runJob(admin: { token: string }, workspaceId: string, projectId: string): Promise<string> {
  const job = await started(server, admin as any, { workspaceId, type: 'MODEL_TRAINING', projectId });
  ok(await progress(server, admin as any, job.id, 0.5));
  ok(await server.gql(COMPLETE_JOB, { jobId: job.id }, admin.token));
  return job.id;
}

async function deliveriesOf(token: string, workspaceId: string, webhookId: string, first = 50) {
  const hooks = ok(await server.gql(WEBHOOKS, { w: workspaceId, first }, token)).workspace.webhooks;
  return hooks.find((h: any) => h.id === webhookId).deliveries.nodes as any[];
}

it('reads nothing of webhooks for the job events of a workspace that has none', async () => {
  // Polls far apart: whatever touches webhooks during the test comes from the events.
  const quiet = await startTestServer({ ...FAST_WEBHOOKS, WEBHOOK_POLL_MS: '600000' });
  try {
    const { admin, workspaceId } = await createWorkspace(quiet);
    const datasetId = await createResource(quiet, admin, workspaceId, 'DATASET');
    const counter = countQueries(quiet.db, { ignore: null });
    try {
      const job = await started(quiet, admin, { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: 'quiet' });
      ok(await progress(quiet, admin, job.id, 0.5));
      await new Promise((resolve) => setTimeout(resolve, 300)); // the events' notifications have come round
      expect(counter.statements.filter((sql) => /\bwebhooks\b/.test(sql))).toEqual([]);
    } finally {
      counter.stop();
    }
  } finally {
    await quiet.close();
  }
});

describe('delivery', () => {
  it('POSTs every event, signed, in cursor order; retries a 500 and a timeout; never again after a 2xx', async () => {
    const { workspaceId, admin, projectId } = await setup();
    let release: (a: Answer) => void = () => undefined;
    const third = new Promise<Answer>((resolve) => (release = resolve));
    let first: string | null = null;
    const r = await receiver((id, attempt) => {
      first ??= id;
      if (id !== first) return 200;
      return attempt === 1 ? 500 : attempt === 2 ? 'hang' : attempt === 3 ? third : 200;
    });
    const created = ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: `${r.url}/hook` } }, admin.token)).createWebhook;
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.webhook).toMatchObject({ url: `${r.url}/hook`, statuses: [], types: [] });
    const jobId = await runJob(admin, workspaceId, projectId);

    // The first delivery failed with a 500; the later ones wait behind it.
    await r.until(() => r.requests.length >= 2, 'the second attempt');
    let deliveries: any[] = [];
    // The last events are taken from the log just after their commit (woken by its notification).
    await r.until(async () => (deliveries = await deliveriesOf(admin.token, workspaceId, created.webhook.id)).length === 3, 'three deliveries listed');
    const oldest = deliveries[2];
    expect(oldest).toMatchObject({ status: 'PENDING', attempts: 1, lastStatusCode: 500, lastError: 'the receiver answered 500' });
    expect(deliveries.slice(0, 2).map((d) => [d.status, d.attempts])).toEqual([['PENDING', 0], ['PENDING', 0]]);
    expect(r.requests.every((q) => q.deliveryId === first)).toBe(true);

    // The second attempt got no answer: a timeout, recorded before the third.
    await r.until(() => r.requests.length >= 3, 'the third attempt');
    deliveries = await deliveriesOf(admin.token, workspaceId, created.webhook.id);
    expect(deliveries[2]).toMatchObject({ status: 'PENDING', attempts: 2, lastStatusCode: null, lastError: 'no answer within 2000 ms' });
    release(204);

    await r.until(() => new Set(r.delivered()).size === 3, 'three deliveries');
    await settle(1000); // several polls and retry periods: nothing more may come
    const log = await server.db.query(`SELECT seq FROM job_events WHERE workspace_id = $1 ORDER BY seq`, [workspaceId]);
    const cursors = deliveries.map((d) => d.eventCursor).reverse();
    expect(cursors.map(seqOf)).toEqual(log.map((e: any) => Number(e.seq)));
    // Each once after its 2xx, in order; the attempts in order too (nothing overtook the failing one).
    expect(r.delivered()).toEqual(cursors);
    expect(r.requests.map((q) => q.deliveryId)).toEqual([cursors[0], cursors[0], cursors[0], cursors[1], cursors[2]]);
    for (const q of r.requests) {
      expect(validSignature(created.secret, q.body, q.signature)).toBe(true);
      expect(q.json.cursor).toBe(q.deliveryId);
      expect(q.contentType).toBe('application/json');
      expect(q.userAgent).toMatch(/^workspace-api-webhooks/);
      expect(q.path).toBe('/hook');
    }
    expect(validSignature('whsec_not-the-secret', r.requests[0].body, r.requests[0].signature)).toBe(false);
    expect(r.requests.slice(2).map((q) => [q.json.event.status, q.json.event.progress, q.json.job.id, q.json.job.status, q.json.job.workspaceId])).toEqual([
      ['PROCESSING', 0, jobId, 'PROCESSING', workspaceId],
      ['PROCESSING', 0.5, jobId, 'PROCESSING', workspaceId],
      ['SUCCESS', 1, jobId, 'SUCCESS', workspaceId],
    ]);
    deliveries = await deliveriesOf(admin.token, workspaceId, created.webhook.id);
    expect(deliveries.map((d) => [d.status, d.attempts, d.lastStatusCode, d.lastError, d.nextAttemptAt !== null, d.deliveredAt !== null])).toEqual([
      ['DELIVERED', 1, 200, null, false, true],
      ['DELIVERED', 1, 200, null, false, true],
      ['DELIVERED', 3, 204, null, false, true],
    ]);
  });

  it('sends a webhook only the events its statuses and types name (empty: all)', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
    const r = await receiver();
    const hook = async (path: string, filter: object) =>
      ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: `${r.url}${path}`, ...filter } }, admin.token)).createWebhook.webhook;
    await hook('/success', { statuses: ['SUCCESS'] });
    await hook('/imports', { types: ['DATA_IMPORT'] });
    await hook('/running-training', { statuses: ['PROCESSING'], types: ['MODEL_TRAINING'] });
    await hook('/all', {});
    await runJob(admin, workspaceId, projectId); // MODEL_TRAINING: PROCESSING 0, PROCESSING 0.5, SUCCESS
    const imp = await started(server, admin, { workspaceId, type: 'DATA_IMPORT', datasetId });
    ok(await server.gql(COMPLETE_JOB, { jobId: imp.id }, admin.token)); // DATA_IMPORT: PROCESSING, SUCCESS
    await r.until(() => r.delivered('/all').length === 5, 'every event at /all');
    await settle(800);
    // Deliveries, as a receiver counts them (by X-Delivery-Id): delivery is at least once, and an
    // attempt the timeout cut short is sent again, the same bytes.
    const seen = (path: string) => {
      const first = new Map<string, string>();
      for (const q of r.requests.filter((q) => q.path === path)) {
        const what = `${q.json.job.type}:${q.json.event.status}:${q.json.event.progress}`;
        expect(first.get(q.deliveryId) ?? what).toBe(what);
        first.set(q.deliveryId, what);
      }
      return [...first.values()];
    };
    expect(seen('/success')).toEqual(['MODEL_TRAINING:SUCCESS:1', 'DATA_IMPORT:SUCCESS:1']);
    expect(seen('/imports')).toEqual(['DATA_IMPORT:PROCESSING:0', 'DATA_IMPORT:SUCCESS:1']);
    expect(seen('/running-training')).toEqual(['MODEL_TRAINING:PROCESSING:0', 'MODEL_TRAINING:PROCESSING:0.5']);
    expect(seen('/all')).toHaveLength(5);
  });

  it('stops sending once the webhook is deleted', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const r = await receiver(() => 500);
    const { webhook } = ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: r.url } }, admin.token)).createWebhook;
    await runJob(admin, workspaceId, projectId);
    await r.until(() => r.requests.length >= 3, 'three failed attempts');
    expect(ok(await server.gql(DELETE_WEBHOOK, { id: webhook.id }, admin.token)).deleteWebhook).toBe(true);
    const atDeletion = r.requests.length;
    await settle(1000); // retries come every 200 ms at most
    expect(r.requests.length).toBeLessThanOrEqual(atDeletion + 1); // an attempt in flight may still land
    const [{ n }] = await server.db.query(`SELECT count(*)::int AS n FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE w.workspace_id = $1`, [workspaceId]);
    expect(n).toBe(0);
    expect(errorCode(await server.gql(DELETE_WEBHOOK, { id: webhook.id }, admin.token))).toBe('NOT_FOUND');
  });

  it('pages deliveries newest first with cursors', async () => {
    const { workspaceId, admin, projectId } = await setup();
    const r = await receiver();
    const { webhook } = ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: r.url } }, admin.token)).createWebhook;
    await runJob(admin, workspaceId, projectId);
    await runJob(admin, workspaceId, projectId);
    await r.until(() => r.delivered().length === 6, 'six deliveries');
    const page = async (after?: string) =>
      ok(await server.gql(WEBHOOKS, { w: workspaceId, first: 4, after }, admin.token)).workspace.webhooks.find((h: any) => h.id === webhook.id).deliveries;
    const one = await page();
    const two = await page(one.pageInfo.endCursor);
    expect(one.pageInfo.hasNextPage).toBe(true);
    expect(two.pageInfo.hasNextPage).toBe(false);
    const seqs = [...one.nodes, ...two.nodes].map((d: any) => seqOf(d.eventCursor));
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    expect(seqs).toHaveLength(6);
    expect(errorCode(await server.gql(WEBHOOKS, { w: workspaceId, after: 'nonsense' }, admin.token))).toBe('BAD_USER_INPUT');
  });
});

describe('who may', () => {
  it('lets ADMINs alone create, list and delete webhooks, with audit entries', async () => {
    const { workspaceId, admin } = await setup();
    const member = await addMember(server, workspaceId, 'MEMBER');
    const manager = await addMember(server, workspaceId, 'WORKFORCE_MANAGER');
    const input = { workspaceId, url: 'http://127.0.0.1:9/hook' };
    for (const person of [member, manager]) {
      const before = await countRows(server, 'webhooks');
      expect(errorCode(await server.gql(CREATE_WEBHOOK, { input }, person.token))).toBe('FORBIDDEN');
      expect(await countRows(server, 'webhooks')).toBe(before);
      const list = await server.gql(WEBHOOKS, { w: workspaceId }, person.token);
      expect(errorCode(list)).toBe('FORBIDDEN');
      const can = ok(await server.gql(`query($w: ID!) { workspace(id: $w) { viewerCan { manageWebhooks } } }`, { w: workspaceId }, person.token));
      expect(can.workspace.viewerCan.manageWebhooks).toBe(false);
    }
    const { webhook } = ok(await server.gql(CREATE_WEBHOOK, { input: { ...input, statuses: ['ERROR', 'ERROR'] } }, admin.token)).createWebhook;
    expect(webhook.statuses).toEqual(['ERROR']);
    const can = ok(await server.gql(`query($w: ID!) { workspace(id: $w) { viewerCan { manageWebhooks } } }`, { w: workspaceId }, admin.token));
    expect(can.workspace.viewerCan.manageWebhooks).toBe(true);
    expect(ok(await server.gql(WEBHOOKS, { w: workspaceId }, admin.token)).workspace.webhooks.map((h: any) => h.id)).toEqual([webhook.id]);
    // To anyone but an ADMIN a webhook does not exist; nor in another workspace.
    expect(errorCode(await server.gql(DELETE_WEBHOOK, { id: webhook.id }, member.token))).toBe('NOT_FOUND');
    const other = await createWorkspace(server);
    expect(errorCode(await server.gql(DELETE_WEBHOOK, { id: webhook.id }, other.admin.token))).toBe('NOT_FOUND');
    expect(errorCode(await server.gql(DELETE_WEBHOOK, { id: 'not-an-id' }, admin.token))).toBe('NOT_FOUND');
    expect(ok(await server.gql(DELETE_WEBHOOK, { id: webhook.id }, admin.token)).deleteWebhook).toBe(true);
    const audit = ok(await server.gql(`query($w: ID!) { workspace(id: $w) { auditLog(first: 5) { nodes { action targetType targetId details } } } }`, { w: workspaceId }, admin.token));
    const entries = audit.workspace.auditLog.nodes.filter((e: any) => e.targetType === 'Webhook');
    expect(entries.map((e: any) => [e.action, e.targetId])).toEqual([
      ['deleteWebhook', webhook.id],
      ['createWebhook', webhook.id],
    ]);
    expect(entries.some((e: any) => e.details.includes('whsec_'))).toBe(false);
  });

  it('caps the webhooks of a workspace', async () => {
    const { workspaceId, admin } = await setup();
    for (let i = 0; i < 20; i++) ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: `http://127.0.0.1:9/${i}` } }, admin.token));
    const res = await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: 'http://127.0.0.1:9/one-more' } }, admin.token);
    expect(errorCode(res)).toBe('INVARIANT');
    expect(res.errors![0].extensions).toMatchObject({ cap: 'webhooks', max: 20 });
    expect(ok(await server.gql(WEBHOOKS, { w: workspaceId }, admin.token)).workspace.webhooks).toHaveLength(20);
  });
});
