import type { DocumentNode } from 'graphql';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';
import type WebSocket from 'ws';
import type { Services } from '../services';
import { Access } from '../authorization/access';

/** The person behind the request's token. */
export interface Viewer {
  userId: string;
  email: string;
  name: string | null;
  /** Set when the token was an API key: it acts in this workspace only. */
  apiKey?: { id: string; workspaceId: string };
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
}

export interface SocketTransport {
  /** The graphql-ws operation id. */
  operationId: string;
  socket: WebSocket;
  document: DocumentNode;
  variableValues?: Record<string, unknown> | null;
  operationName?: string | null;
}

export function createContext(args: {
  requestId: string;
  log: Logger;
  services: Services;
  viewer: Viewer | null;
  transport?: SocketTransport;
}): Context {
  const ctx = {
    requestId: args.requestId,
    log: args.log,
    db: args.services.db,
    services: args.services,
    viewer: args.viewer,
    loaders: new Map(),
    transport: args.transport,
  } as Omit<Context, 'access'> as Context;
  ctx.access = new Access(ctx.viewer, ctx.db);
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
