import 'reflect-metadata';
import { buildSchema, parse } from 'graphql';
import { loadConfig } from '../../src/config';
import { assertCost } from '../../src/server/limits/document-limits';
import { UNBOUNDED_LIST } from '../../src/server/limits/cost';
import { createWorkspace, signIn } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';
import { openSocket } from './raw-socket';

/** A query `depth` fields deep that is valid at any depth (introspection: __Type.ofType). */
function deepQuery(depth: number): string {
  return `{ __type(name: "Query") { ${'ofType { '.repeat(depth - 2)}name${' }'.repeat(depth - 1)} }`;
}

async function post(server: TestServer, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

describe('document limits over HTTP (defaults)', () => {
  it('refuses a query deeper than 10 with QUERY_TOO_COMPLEX and runs one of depth 10', async () => {
    const ok = await server.gql(deepQuery(10));
    expect(ok.errors).toBeUndefined();
    expect(ok.data.__type).toEqual({ ofType: null });
    const deep = await server.gql(deepQuery(11));
    expect(deep.status).toBe(400);
    expect(errorCode(deep)).toBe('QUERY_TOO_COMPLEX');
    expect(deep.errors![0].message).toMatch(/depth limit of 10/);
    expect(deep.data).toBeUndefined();
  });

  it('counts depth through fragments, not the fragments themselves', async () => {
    const viaFragment = `query { __type(name: "Query") { ...T } } fragment T on __Type { ofType { ofType { name } } }`;
    expect((await server.gql(viaFragment)).errors).toBeUndefined();
    const tooDeep = `query { __type(name: "Query") { ...T } } fragment T on __Type { ${'ofType { '.repeat(9)}name${' }'.repeat(9)} }`;
    expect(errorCode(await server.gql(tooDeep))).toBe('QUERY_TOO_COMPLEX');
  });

  it('allows 15 aliases and refuses 16', async () => {
    const person = await signIn(server, 'aliases@limits.test');
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: viewer { id }`).join(' ')} }`;
    const ok = await server.gql(aliased(15), {}, person.token);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.a14.id).toBe(person.id);
    const refused = await server.gql(aliased(16), {}, person.token);
    expect(errorCode(refused)).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors![0].extensions!.limit).toBe('aliases');
  });

  it('allows 50 directives and refuses 51', async () => {
    const directives = (n: number) => `{ __typename ${'__typename @include(if: true) '.repeat(n)} }`;
    expect((await server.gql(directives(50))).errors).toBeUndefined();
    const refused = await server.gql(directives(51));
    expect(errorCode(refused)).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors![0].extensions!.limit).toBe('directives');
  });

  it('refuses a document of more than 1000 tokens before parsing it all', async () => {
    // `{ __type(name: "Query", x: [1 1 ...]) { name } }` has 15 tokens besides the list's items.
    const tokens = (n: number) => `{ __type(name: "Query", x: [${' 1'.repeat(n - 15)}]) { name } }`;
    const under = await server.gql(tokens(1000));
    expect(errorCode(under)).toBe('BAD_USER_INPUT'); // parsed, then refused by validation: x is no argument
    const refused = await server.gql(tokens(1001));
    expect(refused.status).toBe(400);
    expect(errorCode(refused)).toBe('QUERY_TOO_COMPLEX');
    expect(refused.errors![0].extensions).toMatchObject({ limit: 'tokens', max: 1000 });
  });

  it("answers graphql-js's own validation budget (many overlapping fields) with QUERY_TOO_COMPLEX", async () => {
    const res = await server.gql(`{ ${'__typename '.repeat(990)} }`);
    expect(errorCode(res)).toBe('QUERY_TOO_COMPLEX');
  });

  it('caps `first` at 100 with BAD_USER_INPUT', async () => {
    const { workspaceId, admin } = await createWorkspace(server);
    const users = `query($id: ID!, $n: Int) { workspace(id: $id) { users(first: $n) { nodes { id } } } }`;
    expect((await server.gql(users, { id: workspaceId, n: 100 }, admin.token)).errors).toBeUndefined();
    for (const n of [101, 100_000, -1]) {
      const res = await server.gql(users, { id: workspaceId, n }, admin.token);
      expect(errorCode(res)).toBe('BAD_USER_INPUT');
    }
  });
});

describe('cost', () => {
  const schema = buildSchema(`
    type Query { items(first: Int = 50): ItemConnection!  tags: [Tag!]! }
    type ItemConnection { nodes: [Item!]! totalCount: Int! }
    type Item { id: ID! tags: [Tag!]! }
    type Tag { id: ID! name: String! }
  `);
  const limits = { ...loadConfig({}).limits, maxCost: Number.MAX_SAFE_INTEGER };
  const cost = (query: string, variables = {}) => assertCost(schema, parse(query), variables, undefined, limits);

  it('multiplies a connection by `first` (its default when absent) and its nodes only once', () => {
    // items: 1 + first * (nodes: 1 + (id: 1))
    expect(cost(`{ items(first: 10) { nodes { id } } }`)).toBe(1 + 10 * 2);
    expect(cost(`query($n: Int) { items(first: $n) { nodes { id } } }`, { n: 100 })).toBe(1 + 100 * 2);
    expect(cost(`{ items { nodes { id } } }`)).toBe(1 + 50 * 2);
  });

  it('prices a list with no declared maximum past any limit, and `first` out of range as the nearest legal value', () => {
    expect(cost(`{ tags { id name } }`)).toBe(1 + UNBOUNDED_LIST * 2);
    expect(cost(`{ items(first: 2) { nodes { tags { id } } } }`)).toBe(1 + 2 * (1 + (1 + UNBOUNDED_LIST * 1)));
    expect(cost(`{ items(first: 1000000) { nodes { id } } }`)).toBe(1 + 100 * 2);
    expect(cost(`{ items(first: -5) { nodes { id } } }`)).toBe(1 + 1 * 2); // its nodes and totalCount still answer
  });

  it('refuses past the limit with QUERY_TOO_COMPLEX, naming the cost', () => {
    const tight = { ...limits, maxCost: 200 };
    expect(() => assertCost(schema, parse(`{ items(first: 99) { nodes { id } } }`), {}, undefined, tight)).not.toThrow();
    try {
      assertCost(schema, parse(`{ items(first: 100) { nodes { id } } }`), {}, undefined, tight);
      throw new Error('not refused');
    } catch (error: any) {
      expect(error.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', cost: 201, max: 200 });
    }
  });

  it('scales with `first` through the API: the same document passes at 18 and is refused at 19', async () => {
    const tight = await startTestServer({ GRAPHQL_MAX_COST: '1000' });
    try {
      const { workspaceId, admin } = await createWorkspace(tight);
      // workspace 1 + users (1 + n * nodes (1 + email 1 + groups (1 + 50 * name 1))) = 2 + 53n (a person is in at most 50 groups)
      const query = `query($id: ID!, $n: Int) { workspace(id: $id) { users(first: $n) { nodes { email groups { name } } } } }`;
      const ok = await tight.gql(query, { id: workspaceId, n: 18 }, admin.token);
      expect(ok.errors).toBeUndefined();
      const refused = await tight.gql(query, { id: workspaceId, n: 19 }, admin.token);
      expect(refused.status).toBe(400);
      expect(errorCode(refused)).toBe('QUERY_TOO_COMPLEX');
      expect(refused.errors![0].extensions).toMatchObject({ cost: 1009, max: 1000 });
      expect(refused.data).toBeUndefined();
    } finally {
      await tight.close();
    }
  });
});

describe('requests', () => {
  it('refuses a body over 64 KiB with 413 and a GraphQL error; takes one just under', async () => {
    const under = JSON.stringify({ query: '{ __typename }', variables: { pad: 'a'.repeat(60 * 1024) } });
    expect((await post(server, under)).status).toBe(200);
    const over = await post(server, JSON.stringify({ query: '{ __typename }', variables: { pad: 'a'.repeat(64 * 1024) } }));
    expect(over.status).toBe(413);
    expect(over.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers malformed JSON with BAD_USER_INPUT', async () => {
    for (const body of ['{"query": ', 'not json', '"just a string"', '{"query": 5}', '{"query": "{ __typename }", "variables": 3}']) {
      const res = await post(server, body);
      expect(res.status).toBe(400);
      expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers an unsupported charset or content encoding with BAD_USER_INPUT (415)', async () => {
    const cases: Array<Record<string, string>> = [{ 'content-type': 'application/json; charset=latin-9' }, { 'content-encoding': 'compress' }];
    for (const headers of cases) {
      const res = await post(server, JSON.stringify({ query: '{ __typename }' }), headers);
      expect(res.status).toBe(415);
      expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('refuses array batching', async () => {
    const res = await post(server, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(res.status).toBe(400);
    expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(res.json.data).toBeUndefined();
  });

  it('prevents CSRF: a GET or a simple POST without a preflight header is refused', async () => {
    const get = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const preflighted = await fetch(`${server.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(preflighted.status).toBe(200);
    expect(((await preflighted.json()) as any).data.__typename).toBe('Query');
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await post(server, JSON.stringify({ query: '{ __typename }' }), { 'content-type': type });
      expect(res.status).toBe(400);
      expect(res.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    }
  });

  it('answers a GET mutation with an error, not by running it', async () => {
    const res = await fetch(`${server.url}?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(405);
  });

  it('gives no field or enum suggestions in errors', async () => {
    const field = await server.gql(`{ viewr { id } }`);
    expect(errorCode(field)).toBe('BAD_USER_INPUT');
    expect(field.errors![0].message).not.toMatch(/did you mean/i);
    const { workspaceId, admin } = await createWorkspace(server);
    const byRole = `query($id: ID!, $r: WorkspaceRole) { workspace(id: $id) { users(filter: { role: $r }) { totalCount } } }`;
    const value = await server.gql(byRole, { id: workspaceId, r: 'ADMN' }, admin.token);
    expect(errorCode(value)).toBe('BAD_USER_INPUT');
    expect(value.errors![0].message).toMatch(/ADMN/);
    expect(value.errors![0].message).not.toMatch(/did you mean|ADMIN/i);
  });
});

describe('production', () => {
  it('turns introspection off', async () => {
    const prod = await startTestServer({ NODE_ENV: 'production' });
    try {
      for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Query") { name } }']) {
        const res = await prod.gql(query);
        expect(errorCode(res)).toBe('BAD_USER_INPUT');
        expect(res.data).toBeUndefined();
      }
      expect((await prod.gql('{ __typename }')).data.__typename).toBe('Query');
      // The WebSocket too.
      const socket = await openSocket(prod.wsUrl);
      try {
        expect(await socket.init(await prod.token('prod@limits.test'))).toBe(true);
        socket.subscribe('schema', '{ __schema { types { name } } }');
        const refused = await socket.result('schema');
        expect(refused.errors[0].extensions.code).toBe('BAD_USER_INPUT');
        expect(refused.data).toBeUndefined();
      } finally {
        socket.close();
      }
    } finally {
      await prod.close();
    }
  });
});
