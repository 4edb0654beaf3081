/**
 * A small typed client for workspace-api, to copy into a web app: urql as it comes (queries go
 * as GET, which the service accepts because the Authorization header forces a preflight) and
 * `run(document, variables)`, which takes a document from ./generated and returns its typed
 * data, or throws an ApiError carrying the contract's `extensions.code`.
 */
import { Client, fetchExchange, type AnyVariables } from '@urql/core';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** The contract's codes (docs/api.md, "Errors"); NETWORK_ERROR is this client's: no GraphQL answer. */
export type ErrorCode =
  | 'UNAUTHENTICATED' | 'FORBIDDEN' | 'NOT_FOUND' | 'BAD_USER_INPUT' | 'CONFLICT' | 'REPLACEMENT_REQUIRED'
  | 'INVARIANT' | 'RATE_LIMITED' | 'QUERY_TOO_COMPLEX' | 'RESYNC_REQUIRED' | 'UNAVAILABLE' | 'INTERNAL_SERVER_ERROR' | 'NETWORK_ERROR';

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    /** The first error's extensions: `field`, `resources`, `hiddenCount`, `retryAfter`... */
    readonly extensions: Record<string, unknown> = {},
    readonly path?: ReadonlyArray<string | number>,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface WorkspaceApi {
  client: Client;
  run<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
}

export function connect(url: string, token: string): WorkspaceApi {
  // No cacheExchange: every screen reads fresh, since its buttons follow viewerCan, which any
  // change elsewhere may alter.
  const client = new Client({ url, exchanges: [fetchExchange], fetchOptions: { headers: { authorization: `Bearer ${token}` } } });

  async function run<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data> {
    const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
    if (operation?.operation !== 'query' && operation?.operation !== 'mutation') {
      throw new Error('run() sends one query or mutation (subscriptions go over WebSocket)');
    }
    const send = operation.operation === 'query' ? client.query.bind(client) : client.mutation.bind(client);
    const result = await send(document, variables).toPromise();
    if (result.error) {
      const [first] = result.error.graphQLErrors;
      if (!first) throw new ApiError(result.error.message, 'NETWORK_ERROR');
      throw new ApiError(first.message, (first.extensions.code as ErrorCode | undefined) ?? 'INTERNAL_SERVER_ERROR', first.extensions, first.path);
    }
    if (result.data === undefined) throw new ApiError('no data in the answer', 'NETWORK_ERROR');
    return result.data;
  }

  return { client, run };
}
