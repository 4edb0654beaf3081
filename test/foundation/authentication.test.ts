import { SignJWT } from 'jose';
import { mintToken } from '../../src/dev-token';
import { errorCode, startTestServer, TEST_SECRET, type TestServer } from '../support/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const VIEWER = `{ viewer { id email } }`;

async function signed(claims: Record<string, unknown>, opts: { secret?: string; exp?: string | number } = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(opts.exp ?? '1h')
    .sign(new TextEncoder().encode(opts.secret ?? TEST_SECRET));
}

describe('sign-in over HTTP', () => {
  it('makes the account on first use and finds it again', async () => {
    const token = await server.token('Grace@Example.test');
    const first = await server.gql(VIEWER, {}, token);
    const again = await server.gql(VIEWER, {}, token);
    expect(first.data.viewer.email).toBe('grace@example.test');
    expect(again.data.viewer.id).toBe(first.data.viewer.id);
    const [row] = await server.db.query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = 'grace@example.test'`);
    expect(row.n).toBe(1);
  });

  it('links a first sign-in to the account made when the email was invited', async () => {
    const [user] = await server.db.query(
      `INSERT INTO users (id, subject, email) VALUES (gen_random_uuid(), NULL, 'invitee@example.test') RETURNING id`,
    );
    const res = await server.gql(VIEWER, {}, await server.token('INVITEE@example.test'));
    expect(res.data.viewer.id).toBe(user.id);
  });

  it('answers a missing token with UNAUTHENTICATED for guarded fields', async () => {
    const res = await server.gql(VIEWER);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.data?.viewer ?? null).toBeNull();
  });

  it.each([
    ['a malformed token', async () => 'not-a-jwt'],
    ['a wrong signature', async () => signed({ sub: 'x', email: 'x@example.test' }, { secret: 'another-secret-another-secret-another!' })],
    ['an expired token', async () => signed({ sub: 'x', email: 'x@example.test' }, { exp: Math.floor(Date.now() / 1000) - 60 })],
    ['a token without email', async () => signed({ sub: 'x' })],
    ['a token without sub', async () => signed({ email: 'x@example.test' })],
    ['an unknown API key', async () => 'wsk_' + 'a'.repeat(43)],
  ])('rejects %s with UNAUTHENTICATED and status 401', async (_name, make) => {
    const res = await server.gql(VIEWER, {}, await make());
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
    expect(res.data).toBeUndefined();
  });

  it('refuses a token once it expires, though it was accepted (and its check remembered) before', async () => {
    const token = await signed({ sub: 'brief', email: 'brief@example.test' }, { exp: Math.floor(Date.now() / 1000) + 2 });
    expect((await server.gql(VIEWER, {}, token)).data.viewer.email).toBe('brief@example.test');
    expect((await server.gql(VIEWER, {}, token)).data.viewer.email).toBe('brief@example.test');
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    const late = await server.gql(VIEWER, {}, token);
    expect(late.status).toBe(401);
    expect(errorCode(late)).toBe('UNAUTHENTICATED');
  });

  it('rejects an algorithm other than HS256 (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ sub: 'x', email: 'x@example.test', exp: 9999999999 })).toString('base64url');
    const res = await server.gql(VIEWER, {}, `${header}.${body}.`);
    expect(errorCode(res)).toBe('UNAUTHENTICATED');
  });
});

describe('sign-in over WebSocket', () => {
  function closeCodeOf(token: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const client = server.ws(token, { on: { closed: (event: any) => resolve(event.code) } });
      client.subscribe({ query: VIEWER }, { next: () => undefined, error: () => undefined, complete: () => reject(new Error('completed')) });
    });
  }

  it('closes with 4401 for a bad token', async () => {
    expect(await closeCodeOf('not-a-jwt')).toBe(4401);
    expect(await closeCodeOf(await signed({ sub: 'x', email: 'x@example.test' }, { secret: 'another-secret-another-secret-another!' }))).toBe(4401);
  });

  it('closes with 4401 without a token', async () => {
    expect(await closeCodeOf(undefined)).toBe(4401);
  });

  it('serves a signed-in person', async () => {
    const client = server.ws(await mintToken(TEST_SECRET, { sub: 'test|ws@example.test', email: 'ws@example.test' }));
    const result = await new Promise<any>((resolve, reject) => {
      client.subscribe({ query: VIEWER }, { next: resolve, error: reject, complete: () => undefined });
    });
    expect(result.data.viewer.email).toBe('ws@example.test');
  });
});
