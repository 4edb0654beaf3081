import 'reflect-metadata';
import { Redis } from 'ioredis';
import pino from 'pino';
import { startService, type RunningService } from '../../src/bootstrap';
import { createWorkspace, signIn } from '../support/fixtures';
import { startTestServer, testConfig, type TestServer } from '../support/harness';
import { openSocket, type RawSocket } from './raw-socket';

/** A query `depth` fields deep that is valid at any depth (introspection: __Type.ofType). */
const deepQuery = (depth: number) => `{ __type(name: "Query") { ${'ofType { '.repeat(depth - 2)}name${' }'.repeat(depth - 1)} }`;
const code = (result: any) => result?.errors?.[0]?.extensions?.code;

const sockets: RawSocket[] = [];
async function connect(server: TestServer, token?: string): Promise<RawSocket> {
  const socket = await openSocket(server.wsUrl);
  sockets.push(socket);
  if (token !== undefined) expect(await socket.init(token)).toBe(true);
  return socket;
}
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});

describe('the same limits on the WebSocket (defaults)', () => {
  let server: TestServer;
  let token: string;
  beforeAll(async () => {
    server = await startTestServer();
    token = (await signIn(server, 'ws@limits.test')).token;
  });
  afterAll(() => server.close());

  it('answers depth, aliases, directives, tokens and malformed documents with their codes, and keeps the connection', async () => {
    const socket = await connect(server, token);
    const cases: Array<[string, string, string | undefined]> = [
      ['depth 10', deepQuery(10), undefined],
      ['depth 11', deepQuery(11), 'QUERY_TOO_COMPLEX'],
      ['16 aliases', `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`, 'QUERY_TOO_COMPLEX'],
      ['51 directives', `{ __typename ${'__typename @include(if: true) '.repeat(51)} }`, 'QUERY_TOO_COMPLEX'],
      ['1000 tokens (x is no argument)', `{ __type(name: "Query", x: [${' 1'.repeat(985)}]) { name } }`, 'BAD_USER_INPUT'],
      ['1001 tokens', `{ __type(name: "Query", x: [${' 1'.repeat(986)}]) { name } }`, 'QUERY_TOO_COMPLEX'],
      ['overlapping fields', `{ ${'__typename '.repeat(990)} }`, 'QUERY_TOO_COMPLEX'],
      ['a syntax error', '{ viewer { id ', 'BAD_USER_INPUT'],
      ['an unknown field', '{ viewr { id } }', 'BAD_USER_INPUT'],
    ];
    for (const [name, query, expected] of cases) {
      socket.subscribe(name, query);
      const result = await socket.result(name);
      expect([name, code(result)]).toEqual([name, expected]);
      if (expected === undefined) expect(result.data).toBeDefined();
      else expect(result.data).toBeUndefined();
    }
    const unknown = await socket.result('an unknown field');
    expect(unknown.errors[0].message).not.toMatch(/did you mean/i);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('prices `first` like HTTP does', async () => {
    const tight = await startTestServer({ GRAPHQL_MAX_COST: '1000' });
    try {
      const { workspaceId, admin } = await createWorkspace(tight);
      const socket = await connect(tight, admin.token);
      const query = `query($id: ID!, $n: Int) { workspace(id: $id) { users(first: $n) { nodes { email groups { name } } } } }`;
      socket.subscribe('18', query, { id: workspaceId, n: 18 });
      socket.subscribe('19', query, { id: workspaceId, n: 19 });
      expect((await socket.result('18')).data.workspace.users.nodes).toHaveLength(1);
      const refused = await socket.result('19');
      expect(code(refused)).toBe('QUERY_TOO_COMPLEX');
      expect(refused.errors[0].extensions).toEqual({ code: 'QUERY_TOO_COMPLEX', limit: 'cost', max: 1000, cost: 1009 });
    } finally {
      await tight.close();
    }
  });

  it('refuses a too-deep subscription with QUERY_TOO_COMPLEX', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const socket = await connect(server, admin.token);
    const probe = await server.gql(`{ __type(name: "Subscription") { fields { name } } }`);
    const hasJobEvents = (probe.data.__type?.fields ?? []).some((f: { name: string }) => f.name === 'jobEvents');
    // jobEvents 1, job 2, retryOf 3..(depth-1), id (depth). Without the feed yet, the same depth on a query.
    const document = (depth: number) =>
      hasJobEvents
        ? `subscription($w: ID!) { jobEvents(workspaceId: $w) { job { ${'retryOf { '.repeat(depth - 3)}id${' }'.repeat(depth - 3)} } } }`
        : deepQuery(depth);
    socket.subscribe('deep', document(11), hasJobEvents ? { w: workspaceId } : {});
    const refused = await socket.result('deep');
    expect(code(refused)).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors[0].extensions.limit).toBe('depth');
    if (hasJobEvents) {
      // A subscription within the limit is accepted: it stays open (no error, no complete).
      socket.subscribe('ok', document(10), { w: workspaceId });
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(socket.messages.filter((m) => m.id === 'ok' && m.type !== 'next')).toEqual([]);
    }
  });

  it('closes a connection that sends no connection_init within 3 s (4408)', async () => {
    const started = Date.now();
    const socket = await connect(server);
    const { code: closeCode } = await socket.closed;
    const waited = Date.now() - started;
    expect(closeCode).toBe(4408);
    expect(waited).toBeGreaterThanOrEqual(2_900);
    expect(waited).toBeLessThan(5_000);
  });

  it('refuses an anonymous or badly signed connection (4401)', async () => {
    for (const bad of ['', 'not-a-token']) {
      const socket = await connect(server);
      expect(await socket.init(bad || undefined)).toBe(false);
      expect((await socket.closed).code).toBe(4401);
    }
  });

  it('closes the socket on a message over 64 KiB (1009) and takes one just under', async () => {
    const socket = await connect(server, token);
    socket.subscribe('under', '{ __typename }', { pad: 'a'.repeat(60 * 1024) });
    expect((await socket.result('under')).data.__typename).toBe('Query');
    socket.subscribe('over', '{ __typename }', { pad: 'a'.repeat(64 * 1024) });
    expect((await socket.closed).code).toBe(1009);
  });
});

describe('per-connection and per-person limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ WS_MAX_SUBSCRIPTIONS: '2', WS_MAX_CONNECTIONS_PER_USER: '2', WS_MAX_BUFFERED_BYTES: '65536' });
  });
  afterAll(() => server.close());

  it('runs at most N operations at once on one connection (RATE_LIMITED), and frees the slots after', async () => {
    const person = await signIn(server, 'many-ops@limits.test');
    const socket = await connect(server, person.token);
    // Five operations in one burst: graphql-ws starts them all before any finishes.
    for (const id of ['1', '2', '3', '4', '5']) socket.subscribe(id, '{ viewer { id workspaces { id } } }');
    const results = await Promise.all(['1', '2', '3', '4', '5'].map((id) => socket.result(id)));
    const refused = results.filter((r) => code(r) === 'RATE_LIMITED');
    expect(results.filter((r) => r.data?.viewer?.id === person.id)).toHaveLength(2);
    expect(refused).toHaveLength(3);
    expect(refused[0].errors[0].extensions).toMatchObject({ limit: 'subscriptions', max: 2 });
    socket.subscribe('after', '{ viewer { id } }');
    expect((await socket.result('after')).data.viewer.id).toBe(person.id);
  });

  it('accepts at most M connections per person (1008), another person is not affected, and a closed one frees its place', async () => {
    const ada = await signIn(server, 'ada@limits.test');
    const bob = await signIn(server, 'bob@limits.test');
    const first = await connect(server, ada.token);
    await connect(server, ada.token);
    const third = await connect(server);
    expect(await third.init(ada.token)).toBe(false);
    const closed = await third.closed;
    expect(closed.code).toBe(1008);
    expect(closed.reason).toMatch(/RATE_LIMITED/);
    await connect(server, bob.token); // bob has his own count
    first.close();
    await first.closed;
    await new Promise((resolve) => setTimeout(resolve, 100)); // the server sees the close
    await connect(server, ada.token);
  });
});

describe('connections per person shared through Redis', () => {
  const REDIS_URL = 'redis://127.0.0.1:6379';
  const config = { WS_MAX_CONNECTIONS_PER_USER: '2', REDIS_URL };
  let server: TestServer;
  let other: RunningService;
  let redis: Redis;
  beforeAll(async () => {
    server = await startTestServer(config);
    // PostgreSQL: a real second instance; PGlite: a second service on the same in-process database.
    other = process.env.TEST_DATABASE_URL
      ? await server.secondInstance()
      : await startService(testConfig(config), pino({ level: 'silent' }), { database: server.database, host: '127.0.0.1' });
    redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
  });
  afterAll(async () => {
    redis.disconnect();
    if (!process.env.TEST_DATABASE_URL) await other.close();
    await server.close();
  });
  const otherUrl = () => `ws://127.0.0.1:${other.port}/graphql`;
  const refused = async (url: string, token: string) => {
    const socket = await openSocket(url);
    sockets.push(socket);
    expect(await socket.init(token)).toBe(false);
    return (await socket.closed).code;
  };

  it('holds across two instances: a person with 2 open on one is refused (1008) on the other, until one closes', async () => {
    const ada = await signIn(server, 'ada@ws-shared.test');
    const first = await connect(server, ada.token);
    const onOther = await openSocket(otherUrl());
    sockets.push(onOther);
    expect(await onOther.init(ada.token)).toBe(true);
    expect(await refused(server.wsUrl, ada.token)).toBe(1008);
    expect(await refused(otherUrl(), ada.token)).toBe(1008);
    // Each open connection is one member, expiring ~30 s ahead (refreshed while it lives).
    const [, score] = await redis.zrange(`wsapi:ws:${ada.id}`, 0, 0, 'WITHSCORES');
    expect(Number(score) - Date.now()).toBeGreaterThan(20_000);
    first.close();
    await first.closed;
    await new Promise((resolve) => setTimeout(resolve, 100)); // the server sees the close
    expect(await redis.zcard(`wsapi:ws:${ada.id}`)).toBe(1);
    const again = await openSocket(otherUrl());
    sockets.push(again);
    expect(await again.init(ada.token)).toBe(true);
  });

  it("stops counting a crashed instance's connections once they expire", async () => {
    const bob = await signIn(server, 'bob@ws-shared.test');
    // What an instance that died leaves behind: two members it no longer refreshes, expiring in 1 s.
    const [seconds, micros] = await redis.time();
    const expiry = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) + 1_000;
    await redis.zadd(`wsapi:ws:${bob.id}`, expiry, 'crashed-instance:1', expiry, 'crashed-instance:2');
    expect(await refused(server.wsUrl, bob.token)).toBe(1008);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await connect(server, bob.token);
    expect(await redis.zrange(`wsapi:ws:${bob.id}`, 0, -1)).toEqual([expect.not.stringMatching(/^crashed-instance/)]);
  });
});

describe('slow consumers', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ WS_MAX_BUFFERED_BYTES: '65536' });
  });
  afterAll(() => server.close());

  it('drops a consumer that stops reading once its send buffer passes the threshold', async () => {
    const person = await signIn(server, 'slow@limits.test');
    const big = `{ __schema { types { name description fields { name description args { name description } } } } }`;
    const size = JSON.stringify((await server.gql(big)).data).length;
    // Enough to fill the kernel's buffers on both ends of the loopback (a few MiB) and then some.
    const operations = Math.min(1_000, Math.ceil((24 * 1024 * 1024) / size));

    const socket = await connect(server, person.token);
    socket.ws.pause(); // stops reading: the kernel buffers fill, then the server's send buffer grows
    for (let sent = 0; sent < operations; sent += 10) {
      for (let i = sent; i < sent + 10; i++) socket.subscribe(`big${i}`, big);
      await new Promise((resolve) => setTimeout(resolve, 30));
    }
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // the sweep runs every second
    socket.ws.resume();
    const { code: closeCode } = await socket.closed;
    expect(closeCode).toBe(1006); // terminated: a close frame could not pass the unread data
    const received = socket.messages.filter((m) => m.type === 'next').length;
    expect(received).toBeLessThan(operations);

    // A reading client is not dropped, and the person can connect again.
    const reader = await connect(server, person.token);
    for (let i = 0; i < 10; i++) reader.subscribe(`r${i}`, big);
    for (let i = 0; i < 10; i++) expect((await reader.result(`r${i}`)).data.__schema).toBeDefined();
    expect(reader.ws.readyState).toBe(reader.ws.OPEN);
  });
});

describe('client mistakes', () => {
  let server: TestServer;
  /** What the service logs, parsed: a client's mistake is no error of ours. */
  const logged: Array<{ level: number; msg: string; err?: unknown }> = [];
  beforeAll(async () => {
    const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    server = await startTestServer({}, { log });
  });
  afterAll(() => server.close());

  it('answers each with BAD_USER_INPUT or closes with the protocol code, as on HTTP, and logs it at info without a stack', async () => {
    const consoleErrors = jest.spyOn(console, 'error');
    const { workspaceId, admin } = await createWorkspace(server);
    const socket = await connect(server, admin.token);
    const WORKSPACE = 'query($w: ID!) { workspace(id: $w) { id } }';
    const CREATE = 'mutation($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id } }';
    const mistakes: Array<[string, { query: string; variables?: Record<string, unknown>; operationName?: string }]> = [
      ['a variable of the wrong type', { query: WORKSPACE, variables: { w: { id: workspaceId } } }],
      ['a required variable left out', { query: WORKSPACE, variables: {} }],
      ['an input that is not an object', { query: CREATE, variables: { input: 'Acme' } }],
      ['an input with an unknown field', { query: CREATE, variables: { input: { name: 'Acme', owner: 'me' } } }],
      ['a feed variable of the wrong type', { query: 'subscription($w: ID!) { jobEvents(workspaceId: $w) { cursor } }', variables: { w: true } }],
      ['an unknown operation name', { query: 'query A { __typename }', operationName: 'B' }],
      ['two operations and no name', { query: 'query A { __typename } query B { __typename }' }],
      ['a syntax error', { query: '{ viewer { id ' }],
      ['an unknown field', { query: '{ viewr { id } }' }],
    ];
    for (const [name, payload] of mistakes) {
      socket.send({ id: name, type: 'subscribe', payload });
      const ws = await socket.result(name);
      const http = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${admin.token}` },
        body: JSON.stringify(payload),
      });
      expect([name, code(ws), code(await http.json())]).toEqual([name, 'BAD_USER_INPUT', 'BAD_USER_INPUT']);
    }
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);

    const malformed = await connect(server, admin.token);
    malformed.send('{ not json');
    expect((await malformed.closed).code).toBe(4400);
    const oversized = await connect(server, admin.token);
    oversized.send('x'.repeat(65 * 1024));
    expect((await oversized.closed).code).toBe(1009);

    await new Promise((resolve) => setTimeout(resolve, 100)); // the server's own 'error' event follows the close
    expect(logged.filter((entry) => entry.level > 30 || entry.err)).toEqual([]);
    expect(logged.map((entry) => entry.msg)).toContain('WebSocket closed: Max payload size exceeded');
    expect(consoleErrors).not.toHaveBeenCalled();
    consoleErrors.mockRestore();
  });
});
