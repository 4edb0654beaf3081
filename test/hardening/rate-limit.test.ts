import 'reflect-metadata';
import { Socket } from 'node:net';
import pino from 'pino';
import { startService, type RunningService } from '../../src/bootstrap';
import { startTestServer, testConfig, type TestServer } from '../support/harness';
import { openSocket } from './raw-socket';

const VIEWER = `{ viewer { id } }`;

async function gqlAt(port: number, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query: VIEWER }),
  });
  return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (await res.json()) as any };
}
const codeOf = (r: { body: any }) => r.body.errors?.[0]?.extensions?.code;

/** Redis on 127.0.0.1:6379 answers PING (it runs on this machine and in CI). */
async function redisUp(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500);
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
    socket.connect(6379, '127.0.0.1', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
  });
}

describe('per-person rate limits (in-process)', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_OPERATIONS: '5', RATE_LIMIT_ANONYMOUS_OPERATIONS: '3', RATE_LIMIT_WINDOW_SECONDS: '60' });
    port = server.service.port;
  });
  afterAll(() => server.close());

  it('counts each operation of a person: the 6th is RATE_LIMITED (429, retryAfter), another person is not affected', async () => {
    const ada = await server.token('ada@rate.test');
    const bob = await server.token('bob@rate.test');
    for (let i = 0; i < 5; i++) expect((await gqlAt(port, ada)).body.data.viewer.id).toBeDefined();
    const refused = await gqlAt(port, ada);
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    const retryAfter = refused.body.errors[0].extensions.retryAfter;
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.retryAfter).toBe(String(retryAfter));
    expect(refused.body.data).toBeUndefined();
    expect((await gqlAt(port, bob)).body.data.viewer.id).toBeDefined();
  });

  it('counts anonymous requests and bad tokens by IP address', async () => {
    // Three from this address (anonymous or with a bad token), then refused whatever the token.
    expect(codeOf(await gqlAt(port))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gqlAt(port, 'not-a-token'))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gqlAt(port, 'not-a-token'))).toBe('UNAUTHENTICATED');
    const refused = await gqlAt(port, 'not-a-token');
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    // A valid token is counted by its person, not by the address.
    expect((await gqlAt(port, await server.token('carol@rate.test'))).body.data.viewer.id).toBeDefined();
  });

  it('counts WebSocket operations with HTTP ones, answering RATE_LIMITED on the socket', async () => {
    const dan = await server.token('dan@rate.test');
    for (let i = 0; i < 3; i++) expect((await gqlAt(port, dan)).status).toBe(200);
    const socket = await openSocket(server.wsUrl);
    try {
      expect(await socket.init(dan)).toBe(true);
      for (const id of ['4', '5', '6']) {
        socket.subscribe(id, VIEWER);
        await socket.result(id);
      }
      expect((await socket.result('4')).data.viewer.id).toBeDefined();
      expect((await socket.result('5')).data.viewer.id).toBeDefined();
      const refused = await socket.result('6');
      expect(refused.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refused.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.errors[0].extensions.http).toBeUndefined();
      expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    } finally {
      socket.close();
    }
  });
});

describe('rate limits shared through Redis', () => {
  let server: TestServer;
  const log = pino({ level: 'silent' });
  const others: RunningService[] = [];
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    for (const other of others) await other.close();
    await server.close();
  });
  /** More instances of the service on the test server's database; their ports. */
  async function instances(overrides: Record<string, string>, count = 2): Promise<number[]> {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const service = await startService(testConfig(overrides), log, { database: server.database, host: '127.0.0.1' });
      others.push(service);
      ports.push(service.port);
    }
    return ports;
  }

  it('without Redis, each instance counts on its own', async () => {
    const [a, b] = await instances({ RATE_LIMIT_OPERATIONS: '4' });
    const token = await server.token('alone@rate.test');
    for (let i = 0; i < 4; i++) expect((await gqlAt(a, token)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await gqlAt(b, token)).status).toBe(200);
    expect((await gqlAt(a, token)).status).toBe(429);
  });

  it('with REDIS_URL, instances share the count', async () => {
    if (!(await redisUp())) {
      console.warn('Redis is not running on 127.0.0.1:6379: the shared rate limit was not tested');
      return;
    }
    const [a, b] = await instances({ RATE_LIMIT_OPERATIONS: '4', REDIS_URL: 'redis://127.0.0.1:6379' });
    const token = await server.token(`shared-${Date.now()}@rate.test`); // a new person: a new key
    expect((await gqlAt(a, token)).status).toBe(200);
    expect((await gqlAt(b, token)).status).toBe(200);
    expect((await gqlAt(a, token)).status).toBe(200);
    expect((await gqlAt(b, token)).status).toBe(200);
    const refused = await gqlAt(a, token);
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(codeOf(await gqlAt(b, token))).toBe('RATE_LIMITED');
  });

  it('with Redis unreachable, it keeps serving and counts in-process', async () => {
    const [a] = await instances({ RATE_LIMIT_OPERATIONS: '3', REDIS_URL: 'redis://127.0.0.1:1' }, 1);
    const token = await server.token('no-redis@rate.test');
    for (let i = 0; i < 3; i++) expect((await gqlAt(a, token)).status).toBe(200);
    expect(codeOf(await gqlAt(a, token))).toBe('RATE_LIMITED');
  });
});
