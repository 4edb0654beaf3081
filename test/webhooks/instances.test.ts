import type { RunningService } from '../../src/bootstrap';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { createResource, ok, progress, started } from '../jobs/fixtures';
import { CREATE_WEBHOOK, FAST_WEBHOOKS, seqOf, startReceiver, type Receiver } from './receiver';

/** Two instances on one PostgreSQL database send each delivery once, in order. (PGlite is one instance.) */
const describePg = process.env.TEST_DATABASE_URL ? describe : describe.skip;

let server: TestServer;
let b: RunningService;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer(FAST_WEBHOOKS);
  if (process.env.TEST_DATABASE_URL) b = await server.secondInstance();
  // A slow receiver: both instances have time to want the same delivery.
  receiver = await startReceiver(() => new Promise((resolve) => setTimeout(() => resolve(200), 5)));
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

describePg('two instances', () => {
  it('deliver every event once, in cursor order, whichever instance made the change', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const projectId = await createResource(server, admin, workspaceId, 'PROJECT');
    ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: `${receiver.url}/one` } }, admin.token));
    ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: `${receiver.url}/two` } }, admin.token));
    const viaB = { ...server, url: `http://127.0.0.1:${b.port}/graphql` } as TestServer;
    const gqlB = async (query: string, variables: Record<string, unknown>) => {
      const res = await fetch(viaB.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as any;
    };
    await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const job = await started(server, admin, { workspaceId, type: 'MODEL_TRAINING', projectId });
        for (let p = 1; p <= 9; p++) {
          const variables = { input: { jobId: job.id, progress: p / 10 } };
          if (i % 2) ok(await gqlB(`mutation($input: JobProgressInput!) { reportJobProgress(input: $input) { id } }`, variables));
          else ok(await progress(server, admin, job.id, p / 10));
        }
      }),
    );
    await receiver.until(() => receiver.delivered('/one').length >= 40 && receiver.delivered('/two').length >= 40, '40 deliveries to each webhook');
    await new Promise((r) => setTimeout(r, 800));
    const log = (await server.db.query(`SELECT seq FROM job_events WHERE workspace_id = $1 ORDER BY seq`, [workspaceId])).map((e: any) => Number(e.seq));
    for (const path of ['/one', '/two']) {
      const requests = receiver.requests.filter((q) => q.path === path);
      expect(requests.map((q) => seqOf(q.deliveryId))).toEqual(log); // each once, in order, no second attempt
    }
    const senders = [server.service.services.webhooks.stats.delivered, b.services.webhooks.stats.delivered];
    expect(senders[0] + senders[1]).toBe(80);
  });
});
