import {
  getOperationAST,
  getVariableValues,
  GraphQLError,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { Context as WsContext, ServerOptions, SubscribePayload } from 'graphql-ws';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import type { Limits } from '../../config';
import type { Viewer } from '../context';
import { AppError } from '../errors';
import { longLivedId } from '../long-lived-id';
import { formatError } from '../format-error';
import { DocumentCache, type DocumentCacheStats } from './document-cache';
import { limitRules, parseWithLimits, priceOperation } from './document-limits';
import type { OperationRateLimiter, RateKey, RateLimitState } from './rate-limit';
import type { ConnectionCounter } from './ws-connections';

/** What graphql-ws keeps per connection (`ctx.extra`), with the socket and the upgrade request. */
export type SocketExtra = {
  viewer?: Viewer | null;
  /** Set once the connection counts against its person's limit: as which of theirs. */
  counted?: { userId: string; socketId: string };
  readonly socket: WebSocket;
  readonly request: { socket: { remoteAddress?: string } };
};
type Ctx = WsContext<Record<string, unknown>, SocketExtra>;

/** Close code for a connection refused by a limit (1008 Policy Violation: the client does not retry). */
export const POLICY_VIOLATION = 1008;

/**
 * The HTTP path's limits for graphql-ws, where Apollo's validation rules and plugins do not run:
 * the same rate limit, token/depth/alias/directive/cost limits and introspection rule, the same
 * error codes and masking, each operation charged its points once they are known; and what
 * only a socket has: connections per person (ws-connections.ts), operations at once per
 * connection, and dropping a consumer that does not read what it is sent.
 */
export function webSocketLimits(args: {
  schema: GraphQLSchema;
  limits: Limits;
  production: boolean;
  rateLimiter: OperationRateLimiter;
  connections: ConnectionCounter;
  log: Logger;
  /** The open sockets, swept every second for consumers that stopped reading. */
  clients: () => Iterable<WebSocket>;
  /** Told of each connection refused by the per-person limit and each consumer dropped: the metrics. */
  observer?: { connectionRefused(): void; dropped(): void };
}): Required<Pick<ServerOptions<Record<string, unknown>, SocketExtra>, 'onSubscribe' | 'onNext' | 'onError' | 'onClose'>> & {
  /** Call once the person is known: false (and the socket closed with 1008) past the per-person limit. */
  admit(ctx: Ctx, viewer: Viewer): Promise<boolean>;
  /** The counter after the operation of these execution args was counted (its context's rateLimit); answered once. */
  rateLimitOf(args: object): RateLimitState | undefined;
  /** Call on every new socket, before graphql-ws sends anything on it. */
  watch(socket: WebSocket): void;
  /** The parse + validate cache's size and counts. */
  documents(): DocumentCacheStats;
  /** Stops the sweep. */
  dispose(): void;
} {
  const { schema, limits, production, rateLimiter, connections, log } = args;
  const rules = [...specifiedRules, ...limitRules(limits), ...(production ? [NoSchemaIntrospectionCustomRule] : [])];
  const rates = new WeakMap<object, RateLimitState>();
  const format = (errors: readonly GraphQLError[]): GraphQLFormattedError[] =>
    errors.map((error) => formatError(log, error.toJSON(), error));

  const dropped = new WeakSet<WebSocket>();
  type Callback = (error?: Error) => void;
  type Send = (this: WebSocket, data: unknown, options?: object, cb?: Callback) => void;
  type Emit = (this: WebSocket, event: string | symbol, ...args: unknown[]) => boolean;
  // What watch() puts on each socket: one function for all of them (they read `this`), not a
  // closure and a bound copy per socket.
  const originalSend = WebSocket.prototype.send as Send;
  const originalEmit = WebSocket.prototype.emit as Emit;
  // Sends still queued when a slow consumer is dropped fail; that is expected, not an internal
  // error for graphql-ws to report on the console. A send without a callback (the job feed's) goes as it is.
  const quietSend = function (this: WebSocket, data: unknown, optionsOrCb?: object | Callback, maybeCb?: Callback) {
    const cb = typeof optionsOrCb === 'function' ? optionsOrCb : maybeCb;
    const options = typeof optionsOrCb === 'object' ? optionsOrCb : {};
    if (!cb) return originalSend.call(this, data, options);
    originalSend.call(this, data, options, (error) => cb(dropped.has(this) ? undefined : error));
  };
  // ws reports a client's broken frame (over maxPayload: 1009, bad UTF-8, ...) as an 'error'
  // once it has closed the socket itself; graphql-ws would print it, stack and all, as ours.
  const quietEmit = function (this: WebSocket, event: string | symbol, ...args: unknown[]): boolean {
    const error = args[0] as { code?: unknown; message?: string } | undefined;
    if (event !== 'error' || typeof error?.code !== 'string' || !error.code.startsWith('WS_ERR_')) return originalEmit.call(this, event, ...args);
    log.info({ code: error.code }, `WebSocket closed: ${error.message}`);
    return true;
  };
  /** Terminates a socket whose unsent data passed the threshold (a close frame would wait behind it). */
  const dropIfSlow = (socket: WebSocket, userId: string | undefined): boolean => {
    if (socket.bufferedAmount <= limits.wsMaxBufferedBytes) return false;
    log.warn({ userId, bufferedAmount: socket.bufferedAmount }, 'dropping a slow WebSocket consumer');
    dropped.add(socket);
    socket.terminate();
    args.observer?.dropped();
    return true;
  };
  // Checked before every result (onNext) and, for whatever else is sent (errors, other
  // senders), by this sweep.
  const sweep = setInterval(() => {
    for (const socket of args.clients()) dropIfSlow(socket, undefined);
  }, 1_000);
  sweep.unref();

  // Parsed and validated once per text: identical subscriptions share one document.
  const documents = new DocumentCache((text) => {
    try {
      const document = parseWithLimits(text, limits);
      const errors = validate(schema, document, rules);
      return errors.length > 0 ? { errors } : { document };
    } catch (error) {
      if (error instanceof GraphQLError) return { errors: [error] };
      throw error;
    }
  });

  /** The operation's execution args and points, or the errors that refuse it (1 point). */
  const check = (payload: SubscribePayload): { answer: ExecutionArgs | readonly GraphQLError[]; points: number } => {
    try {
      const checked = documents.get(payload.query);
      // graphql-ws keeps the subscribe message for the operation's life: its text becomes the
      // cache's one string rather than a copy per subscription.
      (payload as { query: string }).query = checked.text;
      if (checked.errors) return { answer: checked.errors, points: 1 };
      const document = checked.document;
      const mistakes = requestMistakes(schema, document, payload);
      if (mistakes.length > 0) return { answer: mistakes, points: 1 };
      const { points } = priceOperation(schema, document, payload.variables, payload.operationName, limits);
      return { answer: { schema, document, operationName: payload.operationName, variableValues: payload.variables }, points };
    } catch (error) {
      if (error instanceof GraphQLError) return { answer: [error], points: 1 };
      throw error;
    }
  };

  return {
    async admit(ctx, viewer) {
      const socketId = longLivedId();
      const { socket } = ctx.extra;
      if (!(await connections.admit(viewer.userId, socketId))) {
        socket.close(POLICY_VIOLATION, 'RATE_LIMITED: too many connections');
        args.observer?.connectionRefused();
        return false;
      }
      // Closed while the count was asked (onClose found nothing to release): release it here.
      if (socket.readyState !== socket.OPEN) {
        connections.release(viewer.userId, socketId);
        return false;
      }
      ctx.extra.counted = { userId: viewer.userId, socketId };
      return true;
    },

    rateLimitOf: (execArgs) => {
      const state = rates.get(execArgs);
      rates.delete(execArgs); // graphql-ws keeps the execution args for a subscription's life
      return state;
    },

    documents: () => documents.stats(),

    onClose(ctx) {
      const counted = ctx.extra.counted;
      if (!counted) return;
      ctx.extra.counted = undefined;
      connections.release(counted.userId, counted.socketId);
    },

    async onSubscribe(ctx, _id, payload: SubscribePayload): Promise<ExecutionArgs | readonly GraphQLError[]> {
      try {
        // graphql-ws has already registered this operation in ctx.subscriptions.
        const running = Object.keys(ctx.subscriptions).length;
        if (running > limits.wsMaxSubscriptions) {
          const message = `At most ${limits.wsMaxSubscriptions} operations may run at once on one connection`;
          return [new AppError('RATE_LIMITED', message, { limit: 'subscriptions', max: limits.wsMaxSubscriptions })];
        }
        const viewer = ctx.extra.viewer;
        const key: RateKey = viewer ? { userId: viewer.userId } : { ip: ctx.extra.request.socket.remoteAddress ?? 'unknown' };
        // Charged its points once they are known; an operation refused before (a mistake, a limit) 1 point.
        const { answer, points } = check(payload);
        const state = await rateLimiter.consume(key, points);
        if (!Array.isArray(answer)) rates.set(answer, state);
        return answer;
      } catch (error) {
        if (error instanceof GraphQLError) return [error];
        throw error;
      }
    },

    watch(socket) {
      socket.send = quietSend as typeof socket.send;
      socket.emit = quietEmit as typeof socket.emit;
    },

    dispose() {
      clearInterval(sweep);
    },

    onNext(ctx, _id, _payload, _args, result) {
      if (dropIfSlow(ctx.extra.socket, ctx.extra.viewer?.userId)) return;
      if (!result.errors) return;
      return { ...result, errors: format(result.errors) };
    },

    onError(_ctx, _id, _payload, errors) {
      return format(errors);
    },
  };
}

/**
 * What Apollo refuses on HTTP before execution, as BAD_USER_INPUT: no operation of that name, or
 * variables that do not fit their types (graphql-js reports the latter from inside execution,
 * where formatError would take it for an internal error).
 */
function requestMistakes(schema: GraphQLSchema, document: DocumentNode, payload: SubscribePayload): GraphQLError[] {
  const badInput = (message: string, nodes?: GraphQLError['nodes']) => new GraphQLError(message, { nodes, extensions: { code: 'BAD_USER_INPUT' } });
  const operation = getOperationAST(document, payload.operationName);
  if (!operation) {
    return [badInput(payload.operationName ? `Unknown operation named "${payload.operationName}".` : 'Must provide operation name if query contains multiple operations.')];
  }
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], payload.variables ?? {});
  return (coerced.errors ?? []).map((error) => badInput(error.message, error.nodes));
}
