import { Client, fetchExchange, gql } from '@urql/core';
import { GraphQLClient } from 'graphql-request';
import { countRows, createWorkspace } from '../support/fixtures';
import { startTestServer, type TestServer } from '../support/harness';

/**
 * Common GraphQL clients as they come: urql sends queries as GET by default, graphql-request
 * POSTs (or GETs when asked). Queries over GET are accepted when they carry an Authorization
 * header (a browser preflights such a request, so it is no CSRF); mutations never run over GET.
 */

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** fetch, noting each request's method. */
function recordingFetch() {
  const methods: string[] = [];
  const fetchFn: typeof fetch = (input, init) => {
    methods.push((init?.method ?? (input instanceof Request ? input.method : 'GET')).toUpperCase());
    return fetch(input, init);
  };
  return { methods, fetch: fetchFn };
}

const WORKSPACE = `query Workspace($w: ID!) { workspace(id: $w) { id name users(first: 5) { totalCount nodes { email role } } } }`;
const CREATE_TAG = `mutation CreateTag($input: CreateTagInput!) { createProjectTag(input: $input) { id name } }`;

describe('urql, as it comes', () => {
  it('sends a query as GET with the Authorization header, and is answered', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Urql');
    const recorder = recordingFetch();
    const client = new Client({ url: server.url, exchanges: [fetchExchange], fetch: recorder.fetch, fetchOptions: { headers: { authorization: `Bearer ${admin.token}` } } });
    const result = await client.query(gql(WORKSPACE), { w: workspaceId }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data.workspace).toMatchObject({ id: workspaceId, name: 'Urql', users: { totalCount: 1, nodes: [{ email: admin.email, role: 'ADMIN' }] } });
    expect(recorder.methods).toEqual(['GET']);
  });

  it('POSTs a mutation, which runs', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Urql mutations');
    const recorder = recordingFetch();
    const client = new Client({ url: server.url, exchanges: [fetchExchange], fetch: recorder.fetch, fetchOptions: { headers: { authorization: `Bearer ${admin.token}` } } });
    const result = await client.mutation(gql(CREATE_TAG), { input: { workspaceId, name: 'From urql' } }).toPromise();
    expect(result.error).toBeUndefined();
    expect(result.data.createProjectTag.name).toBe('From urql');
    expect(recorder.methods).toEqual(['POST']);
  });

  it('without an Authorization header its GET is refused as a possible CSRF', async () => {
    const client = new Client({ url: server.url, exchanges: [fetchExchange] });
    const result = await client.query(gql(`query Anyone { __typename }`), {}).toPromise();
    expect(result.data).toBeUndefined();
    expect(result.error?.response?.status).toBe(400);
    expect(result.error?.graphQLErrors[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('graphql-request, as it comes and in GET mode', () => {
  it('POSTs queries and mutations by default', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Request');
    const recorder = recordingFetch();
    const client = new GraphQLClient(server.url, { headers: { authorization: `Bearer ${admin.token}` }, fetch: recorder.fetch });
    const read = await client.request<any>(WORKSPACE, { w: workspaceId });
    expect(read.workspace.users.totalCount).toBe(1);
    const made = await client.request<any>(CREATE_TAG, { input: { workspaceId, name: 'From graphql-request' } });
    expect(made.createProjectTag.name).toBe('From graphql-request');
    expect(recorder.methods).toEqual(['POST', 'POST']);
  });

  it("sends queries as GET in GET mode (and mutations as POST, the library's own rule)", async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'Request GET');
    const recorder = recordingFetch();
    const client = new GraphQLClient(server.url, { method: 'GET', headers: { authorization: `Bearer ${admin.token}` }, fetch: recorder.fetch });
    const read = await client.request<any>(WORKSPACE, { w: workspaceId });
    expect(read.workspace.name).toBe('Request GET');
    const made = await client.request<any>(CREATE_TAG, { input: { workspaceId, name: 'Tag over GET mode' } });
    expect(made.createProjectTag.name).toBe('Tag over GET mode');
    expect(recorder.methods).toEqual(['GET', 'POST']);
  });
});

describe('mutations over GET', () => {
  it('are refused with 405 even with an Authorization header, and change nothing', async () => {
    const { workspaceId, admin } = await createWorkspace(server, 'No GET mutations');
    const before = await countRows(server, 'project_tags');
    const url = new URL(server.url);
    url.searchParams.set('query', CREATE_TAG);
    url.searchParams.set('variables', JSON.stringify({ input: { workspaceId, name: 'Sneaky' } }));
    const res = await fetch(url, { headers: { authorization: `Bearer ${admin.token}` } });
    expect(res.status).toBe(405);
    expect(await countRows(server, 'project_tags')).toBe(before);
  });
});
