import { createHash, randomUUID } from 'node:crypto';
import type { Client } from 'graphql-ws';
import { addMember, countRows, createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const CREATE = `mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id name createdAt lastUsedAt } } }`;
const REVOKE = `mutation($id: ID!) { revokeApiKey(id: $id) }`;
const KEYS = `query($w: ID!) { workspace(id: $w) { apiKeys { id name createdAt lastUsedAt } } }`;
const WORKSPACE = `query($w: ID!) { viewer { id } workspace(id: $w) { id viewerRole } }`;

async function createKey(token: string, workspaceId: string, name = 'ci') {
  const res = await server.gql(CREATE, { i: { workspaceId, name } }, token);
  expect(res.errors).toBeUndefined();
  return res.data.createApiKey as { key: string; apiKey: { id: string; name: string; lastUsedAt: string | null } };
}

/** Runs one query over a graphql-ws client and answers its result. */
function overWs(client: Client, query: string, variables: Record<string, unknown>): Promise<any> {
  return new Promise((resolve, reject) => {
    let result: any;
    client.subscribe({ query, variables }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
  });
}

/** A socket that stays open between operations (a lazy client closes when idle); counts its connections. */
function openSocket(key: string) {
  const state = { connections: 0, closedWith: null as number | null };
  let closed: (code: number) => void = () => undefined;
  const closing = new Promise<number>((resolve) => (closed = resolve));
  const client = server.ws(key, {
    lazyCloseTimeout: 60_000,
    on: { connected: () => void (state.connections += 1), closed: (event: any) => closed((state.closedWith = event.code)) },
  });
  return { client, state, closing };
}

/** The close code of a connection that the server refuses. */
function refusedWith(key: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const client = server.ws(key, { on: { closed: (event: any) => resolve(event.code) } });
    client.subscribe({ query: '{ viewer { id } }' }, { next: () => undefined, error: () => undefined, complete: () => reject(new Error('served')) });
  });
}

describe('createApiKey', () => {
  it('answers the secret once and keeps only its SHA-256 hash', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made = await createKey(admin.token, workspaceId, '  Build server  ');
    expect(made.key).toMatch(/^wsk_[A-Za-z0-9_-]{43}$/);
    expect(made.apiKey).toMatchObject({ name: 'Build server', lastUsedAt: null });
    const [row] = await server.db.query(`SELECT * FROM api_keys WHERE id = $1`, [made.apiKey.id]);
    expect(row.secret_hash).toBe(createHash('sha256').update(made.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(made.key.slice(4));
    const [entry] = await server.db.query(`SELECT actor_id, target_type, details FROM audit_log WHERE target_id = $1`, [made.apiKey.id]);
    expect(entry).toEqual({ actor_id: admin.id, target_type: 'ApiKey', details: { name: 'Build server', scopes: ['FULL'], expiresAt: null } });
    // Two keys never share a secret.
    expect((await createKey(admin.token, workspaceId)).key).not.toBe(made.key);
  });

  it.each([
    ['an empty name', ''],
    ['a blank name', '   '],
    ['a name of 101 characters', 'k'.repeat(101)],
  ])('refuses %s with BAD_USER_INPUT and writes nothing', async (_name, name) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const before = await countRows(server, 'api_keys');
    const res = await server.gql(CREATE, { i: { workspaceId, name } }, admin.token);
    expect(errorCode(res)).toBe('BAD_USER_INPUT');
    expect(res.errors![0].extensions!.field).toBe('input.name');
    expect(await countRows(server, 'api_keys')).toBe(before);
  });

  it('refuses a request made with an API key: a key cannot make another', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const { key } = await createKey(admin.token, workspaceId);
    const before = await countRows(server, 'api_keys');
    expect(errorCode(await server.gql(CREATE, { i: { workspaceId, name: 'child' } }, key))).toBe('FORBIDDEN');
    expect(await countRows(server, 'api_keys')).toBe(before);
  });
});

describe('own API keys: every role, for themselves', () => {
  it.each(['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const)('a %s creates, lists and revokes their own keys', async (role) => {
    const { workspaceId, admin } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, role);
    const first = await createKey(person.token, workspaceId, 'first');
    const second = await createKey(person.token, workspaceId, 'second');
    await createKey(admin.token, workspaceId, 'not theirs');
    const listed = await server.gql(KEYS, { w: workspaceId }, person.token);
    expect(listed.data.workspace.apiKeys.map((k: any) => k.name).sort()).toEqual(['first', 'second']);
    expect((await server.gql(REVOKE, { id: first.apiKey.id }, person.token)).data.revokeApiKey).toBe(true);
    const after = await server.gql(KEYS, { w: workspaceId }, person.token);
    expect(after.data.workspace.apiKeys.map((k: any) => k.id)).toEqual([second.apiKey.id]);
  });

  it.each(['INVITED', 'DECLINED'] as const)('an %s person can make no key there', async (status) => {
    const { workspaceId } = await createWorkspace(server);
    const person = await addMember(server, workspaceId, 'ADMIN', status);
    const before = await countRows(server, 'api_keys');
    expect(errorCode(await server.gql(CREATE, { i: { workspaceId, name: 'x' } }, person.token))).toBe('NOT_FOUND');
    expect((await server.gql(KEYS, { w: workspaceId }, person.token)).data.workspace).toBeNull();
    expect(await countRows(server, 'api_keys')).toBe(before);
  });

  it("answers NOT_FOUND to anyone revoking another person's key, even an ADMIN, and the key keeps working", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const made = await createKey(member.token, workspaceId);
    expect(errorCode(await server.gql(REVOKE, { id: made.apiKey.id }, admin.token))).toBe('NOT_FOUND');
    expect((await server.gql(WORKSPACE, { w: workspaceId }, made.key)).data.workspace.id).toBe(workspaceId);
  });

  it('answers NOT_FOUND to revoking twice, an unknown id and a malformed one', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made = await createKey(admin.token, workspaceId);
    expect((await server.gql(REVOKE, { id: made.apiKey.id }, admin.token)).data.revokeApiKey).toBe(true);
    for (const id of [made.apiKey.id, randomUUID(), 'nope']) expect(errorCode(await server.gql(REVOKE, { id }, admin.token))).toBe('NOT_FOUND');
    const [entries] = await server.db.query(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'revokeApiKey' AND target_id = $1`, [made.apiKey.id]);
    expect(entries.n).toBe(1);
  });
});

describe('authenticating with a key', () => {
  it('acts as its maker, in its own workspace only, over HTTP', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server, 'Other', admin.email); // the same person is ADMIN of a second workspace
    const { key } = await createKey(admin.token, workspaceId);
    const res = await server.gql(WORKSPACE, { w: workspaceId }, key);
    expect(res.data).toEqual({ viewer: { id: admin.id }, workspace: { id: workspaceId, viewerRole: 'ADMIN' } });
    expect((await server.gql(WORKSPACE, { w: other.workspaceId }, key)).data.workspace).toBeNull();
    const workspaces = await server.gql(`{ viewer { workspaces { id } } }`, {}, key);
    expect(workspaces.data.viewer.workspaces).toEqual([{ id: workspaceId }]);
    const before = await countRows(server, 'memberships');
    const invite = await server.gql(
      `mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { id } }`,
      { i: { workspaceId: other.workspaceId, emails: ['someone@example.test'], role: 'MEMBER' } },
      key,
    );
    expect(errorCode(invite)).toBe('NOT_FOUND');
    expect(await countRows(server, 'memberships')).toBe(before);
  });

  it('acts as its maker, in its own workspace only, over WebSocket', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const other = await createWorkspace(server, 'Other', admin.email);
    const { key } = await createKey(admin.token, workspaceId);
    const client = server.ws(key);
    expect((await overWs(client, WORKSPACE, { w: workspaceId })).data).toEqual({ viewer: { id: admin.id }, workspace: { id: workspaceId, viewerRole: 'ADMIN' } });
    expect((await overWs(client, WORKSPACE, { w: other.workspaceId })).data.workspace).toBeNull();
  });

  it('keeps lastUsedAt without a write on every request', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made = await createKey(admin.token, workspaceId);
    await server.gql(`{ viewer { id } }`, {}, made.key);
    const lastUsed = async () => (await server.gql(KEYS, { w: workspaceId }, admin.token)).data.workspace.apiKeys[0].lastUsedAt;
    let first: string | null = null;
    for (let i = 0; i < 50 && !first; i++) {
      first = await lastUsed(); // the write is not awaited by the request
      if (!first) await new Promise((r) => setTimeout(r, 20));
    }
    expect(first).not.toBeNull();
    for (let i = 0; i < 3; i++) await server.gql(`{ viewer { id } }`, {}, made.key);
    expect(await lastUsed()).toBe(first);
  });

  it('stops working at once when revoked: HTTP, new sockets and open sockets', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const made = await createKey(admin.token, workspaceId);
    const { client: open, state, closing } = openSocket(made.key);
    expect((await overWs(open, WORKSPACE, { w: workspaceId })).data.workspace.id).toBe(workspaceId);
    expect((await server.gql(REVOKE, { id: made.apiKey.id }, admin.token)).data.revokeApiKey).toBe(true);

    const http = await server.gql(WORKSPACE, { w: workspaceId }, made.key);
    expect(http.status).toBe(401);
    expect(errorCode(http)).toBe('UNAUTHENTICATED');
    expect(await refusedWith(made.key)).toBe(4401);
    // The socket opened before the key died is closed by the server (4401: not to be retried).
    expect(await closing).toBe(4401);
    expect(state.connections).toBe(1);
  });

  it("stops working at once when its maker is removed, and stays dead when they are invited again", async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const member = await addMember(server, workspaceId, 'MEMBER');
    const made = await createKey(member.token, workspaceId);
    const { client: open, state, closing } = openSocket(made.key);
    expect((await overWs(open, WORKSPACE, { w: workspaceId })).data.workspace.id).toBe(workspaceId);
    const removed = await server.gql(`mutation($i: RemoveUserInput!) { removeUser(input: $i) { removedUserId } }`, { i: { workspaceId, userId: member.id } }, admin.token);
    expect(removed.errors).toBeUndefined();

    expect(errorCode(await server.gql(WORKSPACE, { w: workspaceId }, made.key))).toBe('UNAUTHENTICATED');
    expect(await refusedWith(made.key)).toBe(4401);
    expect(await closing).toBe(4401); // the socket opened before the removal is closed by the server
    expect(state.connections).toBe(1);

    await server.gql(`mutation($i: InviteUsersInput!) { inviteUsers(input: $i) { id } }`, { i: { workspaceId, emails: [member.email], role: 'MEMBER' } }, admin.token);
    await server.gql(`mutation($w: ID!) { acceptInvitation(workspaceId: $w) { id } }`, { w: workspaceId }, member.token);
    expect(errorCode(await server.gql(WORKSPACE, { w: workspaceId }, made.key))).toBe('UNAUTHENTICATED');
  });
});
