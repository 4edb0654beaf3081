import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Socket } from 'node:net';
import { parse, type GraphQLSchema } from 'graphql';
import pino from 'pino';
import { startService, type RunningService } from '../../src/bootstrap';
import { loadConfig } from '../../src/config';
import { buildAppSchema } from '../../src/schema';
import { assertCost } from '../../src/server/limits/document-limits';
import { createWorkspace } from '../support/fixtures';
import { startTestServer, testConfig, type TestServer } from '../support/harness';
import { openSocket } from './raw-socket';

const VIEWER = `{ viewer { id } }`; // 2 points: viewer 1, id 1
const RATE = `{ rateLimit { limit remaining cost resetAt } }`; // 5 points

async function gqlAt(port: number, token?: string, query = VIEWER, variables: Record<string, unknown> = {}) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const header = (name: string) => res.headers.get(name);
  const number = (name: string) => (header(name) === null ? null : Number(header(name)));
  return {
    status: res.status,
    retryAfter: header('retry-after'),
    limit: number('ratelimit-limit'),
    remaining: number('ratelimit-remaining'),
    reset: number('ratelimit-reset'),
    body: (await res.json()) as any,
  };
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

describe('per-person rate limits in points (in-process)', () => {
  let server: TestServer;
  let port: number;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_POINTS: '10', RATE_LIMIT_ANONYMOUS_POINTS: '10', RATE_LIMIT_WINDOW_SECONDS: '60' });
    port = server.service.port;
  });
  afterAll(() => server.close());

  it('charges each operation its cost: five of 2 points pass in 10, the sixth is RATE_LIMITED (429, Retry-After, RateLimit-*), another person is not affected', async () => {
    const ada = await server.token('ada@rate.test');
    const bob = await server.token('bob@rate.test');
    for (let i = 1; i <= 5; i++) {
      const ok = await gqlAt(port, ada);
      expect(ok.body.data.viewer.id).toBeDefined();
      expect([ok.limit, ok.remaining]).toEqual([10, 10 - 2 * i]);
      expect(ok.reset).toBeGreaterThanOrEqual(1);
      expect(ok.reset).toBeLessThanOrEqual(60);
    }
    const refused = await gqlAt(port, ada);
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    const extensions = refused.body.errors[0].extensions;
    expect(extensions).toMatchObject({ limit: 'points', max: 10, cost: 2 });
    expect(extensions.retryAfter).toBeGreaterThanOrEqual(1);
    expect(extensions.retryAfter).toBeLessThanOrEqual(60);
    expect(refused.retryAfter).toBe(String(extensions.retryAfter));
    expect([refused.limit, refused.remaining]).toEqual([10, 0]);
    expect(refused.body.data).toBeUndefined();
    expect((await gqlAt(port, bob)).body.data.viewer.id).toBeDefined();
  });

  it('counts anonymous requests by IP address (rateLimit answers the address\'s counter) and bad tokens at 1 point', async () => {
    const anonymous = await gqlAt(port, undefined, RATE);
    expect(anonymous.body.data.rateLimit).toMatchObject({ limit: 10, remaining: 5, cost: 5 });
    expect([anonymous.limit, anonymous.remaining]).toEqual([10, 5]);
    const viewer = await gqlAt(port); // priced before it runs: 2 points, then UNAUTHENTICATED
    expect(codeOf(viewer)).toBe('UNAUTHENTICATED');
    expect(viewer.remaining).toBe(3);
    for (let left = 2; left >= 0; left--) {
      const bad = await gqlAt(port, 'not-a-token');
      expect([bad.status, codeOf(bad), bad.remaining]).toEqual([401, 'UNAUTHENTICATED', left]);
    }
    const refused = await gqlAt(port, 'not-a-token');
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    // A valid token is counted by its person, not by the address.
    expect((await gqlAt(port, await server.token('carol@rate.test'))).body.data.viewer.id).toBeDefined();
  });

  it('counts WebSocket operations in points with HTTP ones, answering RATE_LIMITED on the socket', async () => {
    const dan = await server.token('dan@rate.test');
    for (let i = 0; i < 3; i++) expect((await gqlAt(port, dan)).status).toBe(200);
    const socket = await openSocket(server.wsUrl);
    try {
      expect(await socket.init(dan)).toBe(true);
      socket.subscribe('rate', `{ rateLimit { remaining cost } }`); // 3 points: 1 left
      expect((await socket.result('rate')).data.rateLimit).toEqual({ remaining: 1, cost: 3 });
      socket.subscribe('viewer', VIEWER);
      const refused = await socket.result('viewer');
      expect(refused.errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED', limit: 'points', max: 10, cost: 2 });
      expect(refused.errors[0].extensions.retryAfter).toBeGreaterThanOrEqual(1);
      expect(refused.errors[0].extensions.http).toBeUndefined();
      expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    } finally {
      socket.close();
    }
  });
});

describe('what an operation costs', () => {
  let server: TestServer;
  let schema: GraphQLSchema;
  const limits = loadConfig({}).limits;
  /** The estimate assertCost computes for this operation. */
  const estimate = (query: string, variables: Record<string, unknown> = {}) => assertCost(schema, parse(query), variables, undefined, limits);
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_POINTS: '100000' });
    schema = await buildAppSchema();
  });
  afterAll(() => server.close());

  it('is its estimated cost: an expensive query uses the window faster than a cheap one; rateLimit agrees with the headers', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const port = server.service.port;
    const first = await gqlAt(port, admin.token, RATE);
    const rate = first.body.data.rateLimit;
    expect(rate).toMatchObject({ limit: 100_000, cost: estimate(RATE), remaining: first.remaining });
    expect(rate.limit).toBe(first.limit);
    const resetIn = (Date.parse(rate.resetAt) - Date.now()) / 1000;
    expect(Math.abs(resetIn - first.reset!)).toBeLessThanOrEqual(2);

    const cheap = await gqlAt(port, admin.token, VIEWER);
    expect(first.remaining! - cheap.remaining!).toBe(estimate(VIEWER));
    const PEOPLE = `query($w: ID!) { workspace(id: $w) { users(first: 50) { nodes { id email viewerCan { changeRole remove } } } } }`;
    const expensive = await gqlAt(port, admin.token, PEOPLE, { w: workspaceId });
    expect(expensive.body.data.workspace.users.nodes).toHaveLength(1);
    const spent = cheap.remaining! - expensive.remaining!;
    expect(spent).toBe(estimate(PEOPLE, { w: workspaceId }));
    expect(spent).toBeGreaterThan(100 * estimate(VIEWER));
  });

  it('is the estimate plus one point per email for inviteUsers: 50 emails, 50 more points', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const port = server.service.port;
    const INVITE = `mutation($input: InviteUsersInput!) { inviteUsers(input: $input) { id } }`;
    const input = { workspaceId, role: 'MEMBER', emails: Array.from({ length: 50 }, (_, i) => `guest${i}@points.test`) };
    const before = await gqlAt(port, admin.token, RATE);
    const invited = await gqlAt(port, admin.token, INVITE, { input });
    expect(invited.body.data.inviteUsers).toHaveLength(50);
    expect(before.remaining! - invited.remaining!).toBe(estimate(INVITE, { input }) + 50);
    const after = await gqlAt(port, admin.token, RATE);
    expect(after.body.data.rateLimit.remaining).toBe(invited.remaining! - estimate(RATE));
  });

  it('is 1 point for a request refused before it runs (a syntax error, a cost past the limit)', async () => {
    const token = await server.token('mistakes@rate.test');
    const port = server.service.port;
    const start = (await gqlAt(port, token)).remaining!;
    const syntax = await gqlAt(port, token, '{ viewer { id ');
    expect([codeOf(syntax), syntax.remaining]).toEqual(['BAD_USER_INPUT', start - 1]);
    const tooCostly = await gqlAt(port, token, `{ workspace(id: "${randomUUID()}") { groups { members { email } } } }`);
    expect([codeOf(tooCostly), tooCostly.remaining]).toEqual(['QUERY_TOO_COMPLEX', start - 2]);
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
    const [a, b] = await instances({ RATE_LIMIT_POINTS: '8' }); // four operations of 2 points
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
    const [a, b] = await instances({ RATE_LIMIT_POINTS: '8', REDIS_URL: 'redis://127.0.0.1:6379' });
    const token = await server.token(`shared-${Date.now()}@rate.test`); // a new person: a new key
    for (const [port, left] of [[a, 6], [b, 4], [a, 2], [b, 0]] as const) {
      const ok = await gqlAt(port, token);
      expect([ok.status, ok.remaining]).toEqual([200, left]);
    }
    const refused = await gqlAt(a, token);
    expect(refused.status).toBe(429);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(codeOf(await gqlAt(b, token))).toBe('RATE_LIMITED');
  });

  it('with Redis unreachable, it keeps serving and counts in-process', async () => {
    const [a] = await instances({ RATE_LIMIT_POINTS: '6', REDIS_URL: 'redis://127.0.0.1:1' }, 1);
    const token = await server.token('no-redis@rate.test');
    for (let i = 0; i < 3; i++) expect((await gqlAt(a, token)).status).toBe(200);
    expect(codeOf(await gqlAt(a, token))).toBe('RATE_LIMITED');
  });
});
