import { createWorkspace } from '../support/fixtures';
import { errorCode, startTestServer, type TestServer } from '../support/harness';

/**
 * Estimates are remembered per document and variables: the same text sent with another `first`
 * is priced for that value, before and after, whichever came first.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: '50' });
});
afterAll(() => server.close());

const USERS = `query($id: ID!, $n: Int) { workspace(id: $id) { users(first: $n) { nodes { id } } } }`;

it('prices one document for each set of variables it comes with', async () => {
  const { workspaceId, admin } = await createWorkspace(server);
  const send = (n: number) => server.gql(USERS, { id: workspaceId, n }, admin.token);
  expect(errorCode(await send(5))).toBeUndefined();
  const big = await send(100);
  expect(errorCode(big)).toBe('QUERY_TOO_COMPLEX');
  expect(big.errors![0].extensions).toMatchObject({ limit: 'cost', max: 50 });
  const cost = big.errors![0].extensions!.cost as number;
  expect(cost).toBeGreaterThan(50);
  expect(errorCode(await send(5))).toBeUndefined();
  const again = await send(100);
  expect(again.errors![0].extensions).toMatchObject({ limit: 'cost', cost });
});
