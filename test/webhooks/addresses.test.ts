import { countRows, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { ok } from '../jobs/fixtures';
import { CREATE_WEBHOOK } from './receiver';

/** Where a webhook may point when the operator has not allowed private addresses (the default). */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0' });
});
afterAll(() => server.close());

it.each([
  ['http, even to a public address', 'http://93.184.215.14/hook'],
  ['IPv4 loopback', 'https://127.0.0.1/hook'],
  ['loopback written another way', 'https://0177.0.0.1/hook'],
  ['a private address', 'https://10.1.2.3/hook'],
  ['another private range', 'https://192.168.1.1/hook'],
  ['link-local (cloud metadata)', 'https://169.254.169.254/latest/meta-data'],
  ['the unspecified address', 'https://0.0.0.0/hook'],
  ['IPv6 loopback', 'https://[::1]/hook'],
  ['IPv6 unique-local', 'https://[fd00::1]/hook'],
  ['IPv6 link-local', 'https://[fe80::1]/hook'],
  ['IPv4-mapped IPv6 loopback', 'https://[::ffff:127.0.0.1]/hook'],
  ['IPv4-mapped IPv6 private', 'https://[::ffff:10.0.0.1]/hook'],
  ['multicast', 'https://224.0.0.1/hook'],
  ['a name that resolves to loopback', 'https://localhost/hook'],
  ['not a URL', 'not a url'],
  ['another scheme', 'ftp://93.184.215.14/hook'],
  ['credentials in the URL', 'https://user:pass@93.184.215.14/hook'],
])('refuses %s (BAD_USER_INPUT on input.url, nothing written)', async (_what, url) => {
  const { workspaceId, admin } = await createWorkspace(server);
  const before = await countRows(server, 'webhooks');
  const res = await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url } }, admin.token);
  expect(errorCode(res)).toBe('BAD_USER_INPUT');
  expect(res.errors![0].extensions!.field).toBe('input.url');
  expect(await countRows(server, 'webhooks')).toBe(before);
});

it('takes an https URL of a public address', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const { webhook } = ok(await server.gql(CREATE_WEBHOOK, { input: { workspaceId, url: 'https://93.184.215.14/hook#frag' } }, admin.token)).createWebhook;
  expect(webhook.url).toBe('https://93.184.215.14/hook');
});

it('checks the address again at each send: a name resolving to a private address is not connected to', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  // As if the name had resolved to a public address when the webhook was made (DNS rebinding).
  const [{ id }] = await server.db.query(
    `INSERT INTO webhooks (id, workspace_id, url, secret, event_seq) SELECT gen_random_uuid(), $1, 'https://localhost:9/hook', 's', last_event_seq FROM workspaces WHERE id = $1 RETURNING id`,
    [workspaceId],
  );
  const projectId = ok(await server.gql(`mutation($input: CreateResourceInput!) { createProject(input: $input) { id } }`, { input: { workspaceId, name: 'P' } }, admin.token)).createProject.id;
  ok(await server.gql(`mutation($input: StartJobInput!) { startJob(input: $input) { id } }`, { input: { workspaceId, type: 'MODEL_TRAINING', projectId } }, admin.token));
  let last: any;
  const deadline = Date.now() + 15_000;
  while (!(last?.attempts > 0) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    [last] = await server.db.query(`SELECT attempts, last_error AS "lastError", status FROM webhook_deliveries WHERE webhook_id = $1 ORDER BY seq LIMIT 1`, [id]);
  }
  expect(last).toMatchObject({ status: 'PENDING', attempts: 1 });
  expect(last.lastError).toMatch(/localhost resolves to (127\.0\.0\.1|::1), which is not a public address/);
});
