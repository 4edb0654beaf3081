import pino from 'pino';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';

// One access line per request and per WebSocket operation at info, with the request id, and
// never a token or a variable's value.
let server: TestServer;
const lines: Array<Record<string, any>> = [];
const raw: string[] = [];

beforeAll(async () => {
  const log = pino({ level: 'info' }, { write: (line: string) => void (raw.push(line), lines.push(JSON.parse(line))) });
  server = await startTestServer({}, { log });
});
afterAll(() => server.close());

const accessLines = () => lines.filter((line) => line.msg === 'access');

it('writes one line per HTTP request: its request id, operation, type, viewer, code and duration', async () => {
  const { admin, workspaceId } = await createWorkspace(server);
  const secret = 'a-variable-value-that-must-not-be-logged';
  lines.length = 0;
  raw.length = 0;
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}`, 'x-request-id': 'req-123' },
    body: JSON.stringify({ query: 'query Users($id: ID!, $s: String) { workspace(id: $id) { users(filter: { search: $s }) { totalCount } } }', variables: { id: workspaceId, s: secret } }),
  });
  expect(res.status).toBe(200);
  const refused = await server.gql('mutation Nope { updateWorkspace(input: { workspaceId: "00000000-0000-4000-8000-000000000000", name: "x" }) { id } }', {}, admin.token);
  expect(refused.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  expect(accessLines()).toEqual([
    expect.objectContaining({ level: 30, requestId: 'req-123', transport: 'http', operation: 'Users', type: 'query', viewerId: admin.id, code: 'OK', ms: expect.any(Number) }),
    expect.objectContaining({ transport: 'http', operation: 'Nope', type: 'mutation', viewerId: admin.id, code: 'NOT_FOUND', requestId: expect.any(String) }),
  ]);
  const logged = raw.join('');
  expect(logged).not.toContain(secret);
  expect(logged).not.toContain(admin.token);
});

it('writes one line per WebSocket operation, when it ends or is refused', async () => {
  const { admin, workspaceId } = await createWorkspace(server);
  lines.length = 0;
  const client = server.ws(admin.token);
  const answer = await new Promise<any>((resolve, reject) => {
    client.subscribe({ query: 'query Me { viewer { id } }' }, { next: resolve, error: reject, complete: () => undefined });
  });
  expect(answer.data.viewer.id).toBe(admin.id);
  const refusal = await new Promise<any>((resolve) => {
    client.subscribe({ query: 'query Bad { nothingHere }' }, { next: () => undefined, error: resolve, complete: () => undefined });
  });
  expect(refusal).toBeDefined();
  // A subscription logs when it ends: here when the client stops it.
  const stop = client.subscribe({ query: `subscription Feed($w: ID!) { jobEvents(workspaceId: $w) { cursor } }`, variables: { w: workspaceId } }, { next: () => undefined, error: () => undefined, complete: () => undefined });
  await new Promise((resolve) => setTimeout(resolve, 200));
  stop();
  await waitFor(() => accessLines().length >= 3);
  expect(accessLines()).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ transport: 'ws', operation: 'Me', type: 'query', viewerId: admin.id, code: 'OK' }),
      expect.objectContaining({ transport: 'ws', operation: 'Bad', viewerId: admin.id, code: 'BAD_USER_INPUT' }),
      expect.objectContaining({ transport: 'ws', operation: 'Feed', type: 'subscription', viewerId: admin.id, code: 'OK' }),
    ]),
  );
  expect(accessLines()).toHaveLength(3);
});

it('puts the request id on the error line of a request that failed unexpectedly', async () => {
  const authenticator = server.service.services.authenticator;
  const original = authenticator.signIn;
  // A planted failure where nothing expects one: signing in throws a plain Error.
  authenticator.signIn = async () => {
    throw new Error('planted: the authenticator broke');
  };
  lines.length = 0;
  try {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-broken' },
      body: JSON.stringify({ query: '{ viewer { id } }' }),
    });
    expect(((await res.json()) as any).errors[0].extensions.code).toBe('INTERNAL_SERVER_ERROR');
  } finally {
    authenticator.signIn = original;
  }
  const errorLines = lines.filter((line) => line.level >= 50);
  expect(errorLines).toEqual([expect.objectContaining({ requestId: 'req-broken', err: expect.objectContaining({ message: expect.stringContaining('planted') }) })]);
});

async function waitFor(condition: () => boolean, ms = 5_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out; lines: ${JSON.stringify(accessLines())}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
