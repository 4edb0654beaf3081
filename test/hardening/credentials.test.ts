import 'reflect-metadata';
import { createClient } from 'graphql-ws';
import { SignJWT } from 'jose';
import pino from 'pino';
import WebSocket from 'ws';
import type { RunningService } from '../../src/bootstrap';
import { addMember, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, TEST_SECRET, type TestServer } from '../support/harness';
import { openSocket, type RawSocket } from './raw-socket';

/**
 * A WebSocket lives no longer than its credentials (expiry, revocation, removal, on every
 * instance); tokens need `exp`, clean claims and, when configured, the issuer and audience; a
 * refused socket closes with 4401, which the stock graphql-ws client does not retry.
 */
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const VIEWER = '{ viewer { id email } }';
const CREATE_KEY = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }`;

/** What the service logs, parsed, to prove that refusals are not logged as errors. */
const logged: Array<{ level: number; msg: string; err?: { stack?: string } }> = [];
const log = pino({ level: 'info' }, { write: (line: string) => void logged.push(JSON.parse(line)) });

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_ANONYMOUS_POINTS: '0' }, { log });
});
afterAll(() => server.close());

/** A second instance on the same database (PostgreSQL only), made once. */
let other: RunningService | undefined;
const otherInstance = async () => (other ??= await server.secondInstance());

const sockets: RawSocket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
  jest.restoreAllMocks();
});

const seconds = (ms: number) => Math.floor(ms / 1000);

/** An HS256 token with exactly these claims (`exp` only when given). */
function sign(claims: Record<string, unknown>, exp: number | null = seconds(Date.now()) + 3600): Promise<string> {
  const jwt = new SignJWT(exp === null ? claims : { ...claims, exp }).setProtectedHeader({ alg: 'HS256' }).setIssuedAt();
  return jwt.sign(new TextEncoder().encode(TEST_SECRET));
}

async function connect(token: string, port = server.service.port): Promise<RawSocket> {
  const socket = await openSocket(`ws://127.0.0.1:${port}/graphql`);
  sockets.push(socket);
  expect(await socket.init(token)).toBe(true);
  return socket;
}

async function createKey(token: string, workspaceId: string) {
  const res = await server.gql(CREATE_KEY, { i: { workspaceId, name: 'worker' } }, token);
  expect(res.errors).toBeUndefined();
  return res.data.createApiKey as { key: string; apiKey: { id: string } };
}

/** Sends `viewer`; answers the close code, and fails if the operation was answered with data. */
async function refusedOperation(socket: RawSocket, id: string): Promise<number> {
  socket.subscribe(id, VIEWER);
  const { code } = await socket.closed;
  expect(socket.messages.filter((m) => m.id === id && m.type === 'next')).toEqual([]);
  return code;
}

const errorsLogged = () => logged.filter((entry) => entry.level >= 50 || entry.err?.stack);

describe('3. a socket lives no longer than its credentials', () => {
  it("closes a JWT's socket with 4401 at the token's exp", async () => {
    const exp = seconds(Date.now()) + 3;
    const socket = await connect(await sign({ sub: 'brief|1', email: 'brief1@creds.test' }, exp));
    socket.subscribe('before', VIEWER);
    expect((await socket.result('before')).data.viewer.email).toBe('brief1@creds.test');
    const { code } = await socket.closed;
    expect(code).toBe(4401);
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000);
    expect(Date.now()).toBeLessThan(exp * 1000 + 1_500);
  });

  it('answers no operation that arrives after exp, though the timer has not fired yet', async () => {
    const exp = seconds(Date.now()) + 600;
    const socket = await connect(await sign({ sub: 'brief|2', email: 'brief2@creds.test' }, exp));
    jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 + 1); // the clock is past exp; the timer is 10 minutes away
    expect(await refusedOperation(socket, 'late')).toBe(4401);
  });

  it("closes an API key's socket with 4401 when the key is revoked, and answers nothing once the revocation has committed", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    // Revoked in the database alone, as by another instance whose notification has not arrived.
    const quiet = await createKey(admin.token, workspaceId);
    const first = await connect(quiet.key);
    await server.db.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1`, [quiet.apiKey.id]);
    expect(await refusedOperation(first, 'after-commit')).toBe(4401);
    // Revoked through the API: the open socket closes at once, without an operation.
    const loud = await createKey(admin.token, workspaceId);
    const second = await connect(loud.key);
    expect((await server.gql(`mutation($id: ID!) { revokeApiKey(id: $id) }`, { id: loud.apiKey.id }, admin.token)).data.revokeApiKey).toBe(true);
    expect((await second.closed).code).toBe(4401);
  });

  it("closes a removed person's sockets (token and key) with 4401, on this instance and on another one (PostgreSQL)", async () => {
    const elsewhere = onPostgres ? await otherInstance() : undefined;
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const { key } = await createKey(member.token, workspaceId);
    const here = [await connect(member.token), await connect(key)];
    const there = elsewhere ? [await connect(member.token, elsewhere.port), await connect(key, elsewhere.port)] : [];
    const removed = await server.gql(`mutation($i: RemoveUserInput!) { removeUser(input: $i) { removedUserId } }`, { i: { workspaceId, userId: member.id } }, admin.token);
    expect(removed.errors).toBeUndefined();
    for (const socket of [...here, ...there]) expect((await socket.closed).code).toBe(4401);
  });

  (onPostgres ? it : it.skip)('closes a revoked key’s socket on another instance with 4401 (PostgreSQL)', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made = await createKey(admin.token, workspaceId);
    const there = await connect(made.key, (await otherInstance()).port);
    expect((await server.gql(`mutation($id: ID!) { revokeApiKey(id: $id) }`, { id: made.apiKey.id }, admin.token)).data.revokeApiKey).toBe(true);
    expect((await there.closed).code).toBe(4401);
  });
});

describe('4. tokens', () => {
  it.each([
    ['a token without exp', () => sign({ sub: 'noexp|1', email: 'noexp@creds.test' }, null), /exp/],
    ['an email claim with two @', () => sign({ sub: 'two-at|1', email: 'a@corp.com@evil.com' }), /email/],
    ['an email claim that is no address', () => sign({ sub: 'no-at|1', email: 'nobody' }), /email/],
    ['a NUL in sub', () => sign({ sub: 'nul|\u0000', email: 'nul-sub@creds.test' }), /control/],
    ['a NUL in email', () => sign({ sub: 'nul|email', email: 'nul\u0000@creds.test' }), /control/],
    ['a NUL in name', () => sign({ sub: 'nul|name', email: 'nul-name@creds.test', name: 'Ada\u0000' }), /control/],
    ['a bell in name', () => sign({ sub: 'bel|name', email: 'bel-name@creds.test', name: 'Ada\u0007' }), /control/],
    ['a sub that is not a string', () => sign({ sub: 42, email: 'num-sub@creds.test' }), /sub/],
  ])('refuses %s: UNAUTHENTICATED with HTTP 401, and 4401 on a socket, logging no error', async (_name, make, message) => {
    const token = await make();
    const res = await server.gql(VIEWER, {}, token);
    expect([res.status, errorCode(res)]).toEqual([401, 'UNAUTHENTICATED']);
    expect(res.errors![0].message).toMatch(message);
    const socket = await openSocket(server.wsUrl);
    sockets.push(socket);
    expect(await socket.init(token)).toBe(false);
    expect((await socket.closed).code).toBe(4401);
    expect(errorsLogged()).toEqual([]);
  });

  it('checks iss and aud when AUTH_JWT_ISSUER and AUTH_JWT_AUDIENCE are set', async () => {
    const strict = await startTestServer({ AUTH_JWT_ISSUER: 'https://id.creds.test/', AUTH_JWT_AUDIENCE: 'workspace-api' });
    try {
      const claims = { sub: 'iss|1', email: 'iss@creds.test' };
      const ask = async (extra: Record<string, unknown>) => strict.gql(VIEWER, {}, await sign({ ...claims, ...extra }));
      expect((await ask({ iss: 'https://id.creds.test/', aud: 'workspace-api' })).data.viewer.email).toBe('iss@creds.test');
      expect((await ask({ iss: 'https://id.creds.test/', aud: ['other', 'workspace-api'] })).data.viewer.email).toBe('iss@creds.test');
      for (const wrong of [{ iss: 'https://evil.test/', aud: 'workspace-api' }, { iss: 'https://id.creds.test/', aud: 'other' }, { aud: 'workspace-api' }, { iss: 'https://id.creds.test/' }]) {
        const res = await ask(wrong);
        expect([JSON.stringify(wrong), res.status, errorCode(res)]).toEqual([JSON.stringify(wrong), 401, 'UNAUTHENTICATED']);
      }
    } finally {
      await strict.close();
    }
  });
});

describe('5. close codes', () => {
  /**
   * The stock client as it comes (default retries): answers the close code it reports and how
   * often it connected. Had it retried, the error would come only after its last retry.
   */
  async function stockClient(token: string | undefined): Promise<{ code: number; attempts: number }> {
    let attempts = 0;
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      on: { connecting: () => void (attempts += 1) },
    });
    try {
      const error = await new Promise<any>((resolve) => {
        client.subscribe({ query: VIEWER }, { next: () => undefined, error: resolve, complete: () => resolve(new Error('served')) });
      });
      return { code: error.code, attempts };
    } finally {
      await client.dispose();
    }
  }

  it.each([
    ['no token', async () => undefined],
    ['a bad token', async () => 'not-a-jwt'],
    ['an expired token', () => sign({ sub: 'expired|1', email: 'expired@creds.test' }, seconds(Date.now()) - 60)],
  ])('closes with 4401 for %s, and the stock graphql-ws client stops without retrying', async (_name, make) => {
    expect(await stockClient(await make())).toEqual({ code: 4401, attempts: 1 });
  });
});
