import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type WebSocket from 'ws';
import type { ApiKeyScope } from '../modules/api-keys/api-key.entity';
import type { IdempotentRequest } from '../modules/idempotency/idempotency.plugin';
import type { Services } from '../services';
import { Access, type Membership } from '../authorization/access';
import { budgetedDatabase, ExecutionBudget } from './limits/execution-budget';
import type { RateLimitState } from './limits/rate-limit';

/** The person behind the request's token. */
export interface Viewer {
  userId: string;
  email: string;
  name: string | null;
  /** Set when the token was an API key: it acts in this workspace only, within its scopes. */
  apiKey?: { id: string; workspaceId: string; scopes: readonly ApiKeyScope[] };
  /** When the credentials stop working (a JWT's `exp`, an API key's expiry, in ms): a WebSocket closes then. */
  expiresAt?: number;
}

/** Made fresh for every HTTP request and every WebSocket operation. */
export interface Context {
  requestId: string;
  log: Logger;
  db: DataSource;
  services: Services;
  viewer: Viewer | null;
  /** The viewer's memberships and per-object facts, loaded once per request. */
  access: Access;
  /** Per-request DataLoaders, made on first use by `loader()`. */
  loaders: Map<unknown, unknown>;
  /** On WebSocket operations: where the operation came from (the job feed writes to the socket itself). */
  transport?: SocketTransport;
  /** The hard stop of the work (time, answer size): checked before every resolver and statement. */
  budget: ExecutionBudget;
  /** The caller's IP address: what an anonymous caller is counted by. */
  clientIp?: string;
  /** The caller's rate-limit counter once this operation was counted (Query.rateLimit). */
  rateLimit?: RateLimitState;
  /** Set for an HTTP mutation sent with an Idempotency-Key: runMutation records in its transaction that it happened. */
  idempotency?: IdempotentRequest;
}

export interface SocketTransport {
  /** The graphql-ws operation id. */
  operationId: string;
  socket: WebSocket;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
  /** Set by a feed subscription (jobEvents): its stream, which graphql-ws then iterates directly (app.ts onOperation). */
  feed?: AsyncIterableIterator<never>;
}

export function createContext(args: {
  requestId: string;
  log: Logger;
  services: Services;
  viewer: Viewer | null;
  transport?: SocketTransport;
  /** Without one, the answer's size is budgeted but not its time. */
  budget?: ExecutionBudget;
  clientIp?: string;
  rateLimit?: RateLimitState;
  /** The viewer's membership as their sign-in read it, in this request: not read again. */
  membership?: Membership;
}): Context {
  const budget = args.budget ?? new ExecutionBudget(args.services.config.limits);
  const ctx = {
    requestId: args.requestId,
    log: args.log,
    db: budgetedDatabase(args.services.db, budget),
    budget,
    services: args.services,
    viewer: args.viewer,
    loaders: new Map(),
    transport: args.transport,
    clientIp: args.clientIp,
    rateLimit: args.rateLimit,
  } as Omit<Context, 'access'> as Context;
  ctx.access = new Access(ctx.viewer, ctx.db);
  if (args.membership) ctx.access.primeMembership(args.membership);
  return ctx;
}

/**
 * The request's instance of a loader: `loader(ctx, makeGroupMembersLoader).load(id)`.
 * Each module defines its own factories; the map keeps one per request, so batching and
 * caching never cross requests (or viewers).
 */
export function loader<T>(ctx: Context, factory: (ctx: Context) => T): T {
  let instance = ctx.loaders.get(factory) as T | undefined;
  if (instance === undefined) {
    instance = factory(ctx);
    ctx.loaders.set(factory, instance);
  }
  return instance;
}
