import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';
import { COMPLETE_JOB, createResource, ok, progress, started } from '../jobs/fixtures';
import { CREATE_WEBHOOK, FAST_WEBHOOKS, startReceiver } from '../webhooks/receiver';

// GET /metrics: Prometheus text, behind METRICS_TOKEN, with the figures an operator watches.
let server: TestServer;
const TOKEN = 'metrics-token-for-tests';
const base = () => server.url.replace(/\/graphql$/, '');

beforeAll(async () => {
  server = await startTestServer({ ...FAST_WEBHOOKS, METRICS_TOKEN: TOKEN });
});
afterAll(() => server.close());

async function scrape(): Promise<string> {
  const res = await fetch(`${base()}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  return res.text();
}

/** The value of one sample, its labels given as they print (`name{a="b",c="d"}`), or 0. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const line = text.split('\n').find((l) => {
    if (!l.startsWith(name + '{') && !l.startsWith(name + ' ')) return false;
    return Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`));
  });
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

async function until(check: () => Promise<boolean>, what: string) {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('is refused without the token, and with a wrong one', async () => {
  expect((await fetch(`${base()}/metrics`)).status).toBe(401);
  expect((await fetch(`${base()}/metrics`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
  expect(sample(await scrape(), 'wsapi_http_requests_total', { route: '/metrics', status: '401' })).toBe(2);
});

it('counts operations by name, type and outcome, and HTTP requests by route and status', async () => {
  const { admin, workspaceId } = await createWorkspace(server);
  const before = await scrape();
  const named = { transport: 'http', type: 'query', operation: 'MetricsMe', code: 'OK' };
  for (let i = 0; i < 3; i++) ok(await server.gql('query MetricsMe { viewer { id } }', {}, admin.token));
  const refused = await server.gql('mutation MetricsNope($w: ID!) { updateWorkspace(input: { workspaceId: $w, name: "" }) { id } }', { w: workspaceId }, admin.token);
  expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  await server.gql('{ viewer { id } }', {}, admin.token);
  const after = await scrape();
  expect(sample(after, 'wsapi_graphql_operations_total', named) - sample(before, 'wsapi_graphql_operations_total', named)).toBe(3);
  expect(sample(after, 'wsapi_graphql_operations_total', { operation: 'MetricsNope', type: 'mutation', code: 'BAD_USER_INPUT' })).toBe(1);
  expect(sample(after, 'wsapi_graphql_operations_total', { operation: 'anonymous', code: 'OK' })).toBeGreaterThanOrEqual(1);
  expect(sample(after, 'wsapi_graphql_operation_duration_seconds_count', { operation: 'MetricsMe' })).toBeGreaterThanOrEqual(3);
  expect(sample(after, 'wsapi_http_requests_total', { route: '/graphql', status: '200' })).toBeGreaterThanOrEqual(5);
  expect(after).toMatch(/^wsapi_process_cpu_user_seconds_total /m); // process metrics
  expect(after).toMatch(/^wsapi_db_pool_in_use /m);
});

it('keeps the operation label set bounded: past 200 names, new ones share "other"', async () => {
  const { admin } = await createWorkspace(server);
  for (let i = 0; i < 230; i += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, j) => server.gql(`query Flood${i + j} { viewer { id } }`, {}, admin.token)));
  }
  const text = await scrape();
  const names = new Set(
    text
      .split('\n')
      .filter((l) => l.startsWith('wsapi_graphql_operations_total{'))
      .map((l) => /operation="([^"]*)"/.exec(l)![1]),
  );
  expect(names.size).toBeLessThanOrEqual(202); // 200 names, anonymous, other
  expect(sample(text, 'wsapi_graphql_operations_total', { operation: 'other' })).toBeGreaterThan(0);
});

it('shows the feed: subscriptions, deliveries and their lag; the event log; webhook attempts', async () => {
  const { admin, workspaceId } = await createWorkspace(server);
  const receiver = await startReceiver(() => 200);
  try {
    ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: `${receiver.url}/hook` } }, admin.token));
    const before = await scrape();
    const client = server.ws(admin.token);
    const received: unknown[] = [];
    const stop = client.subscribe(
      { query: 'subscription MetricsFeed($w: ID!) { jobEvents(workspaceId: $w) { cursor status } }', variables: { w: workspaceId } },
      { next: (event) => void received.push(event), error: () => undefined, complete: () => undefined },
    );
    await until(async () => sample(await scrape(), 'wsapi_feed_subscriptions') >= 1, 'the subscription');
    expect(sample(await scrape(), 'wsapi_websocket_connections')).toBeGreaterThanOrEqual(1);
    const datasetId = await createResource(server, admin, workspaceId, 'DATASET');
    const job = await started(server, admin, { workspaceId, type: 'DATA_IMPORT', datasetId, folderName: 'metrics' });
    ok(await progress(server, admin, job.id, 0.5));
    ok(await server.gql(COMPLETE_JOB, { jobId: job.id }, admin.token));
    await until(async () => received.length >= 3, 'three events');
    await until(async () => receiver.delivered().length >= 3, 'three webhook deliveries');
    // The receiver answers before the sender hears its 2xx and counts it.
    const delivered = (text: string) => sample(text, 'wsapi_webhook_attempts_total', { outcome: 'delivered' });
    await until(async () => delivered(await scrape()) - delivered(before) >= 3, 'three delivered attempts counted');
    const after = await scrape();
    stop();
    expect(sample(after, 'wsapi_feed_deliveries_total') - sample(before, 'wsapi_feed_deliveries_total')).toBeGreaterThanOrEqual(3);
    expect(sample(after, 'wsapi_feed_lag_seconds_count') - sample(before, 'wsapi_feed_lag_seconds_count')).toBeGreaterThanOrEqual(3);
    expect(delivered(after) - delivered(before)).toBe(3);
    expect(sample(after, 'wsapi_event_log_rows')).toBeGreaterThanOrEqual(0);
    expect(after).toMatch(/^wsapi_event_log_oldest_seconds /m);
  } finally {
    await receiver.close();
  }
});
