import type { ApolloServerPlugin } from '@apollo/server';
import { getOperationAST, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import type { Context } from './context';

/** What one access line says: never a token, never a variable's value. */
export interface AccessRecord {
  requestId: string;
  transport: 'http' | 'ws';
  operation: string;
  type: string;
  viewerId: string | null;
  code: string;
  ms: number;
}

/** An operation's name as a client sent it, bounded: a client cannot fill the logs with long names. */
export const operationLabel = (name: string | null | undefined) => (name ? name.slice(0, 100) : 'anonymous');

/** OK, or the first error's code. */
export const outcomeCode = (errors: ReadonlyArray<GraphQLFormattedError | { extensions?: Record<string, unknown> }> | undefined, uncoded = 'INTERNAL_SERVER_ERROR') =>
  errors?.length ? String(errors[0].extensions?.code ?? uncoded) : 'OK';

/** Where an ended operation goes: its access line (on the request's logger), and the metrics. */
export type RecordAccess = (log: Logger, record: AccessRecord) => void;

/** One access line per HTTP request at info, when its answer is sent. */
export function accessLogPlugin(recordAccess: RecordAccess): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const startedAt = performance.now();
      return {
        async willSendResponse({ request, response, operation, contextValue: ctx }) {
          const body = response.body;
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          recordAccess(ctx.log, {
            requestId: ctx.requestId,
            transport: 'http',
            operation: operationLabel(operation?.name?.value ?? request.operationName),
            type: operation?.operation ?? 'unknown',
            viewerId: ctx.viewer?.userId ?? null,
            code: outcomeCode(errors),
            ms: Math.round((performance.now() - startedAt) * 10) / 10,
          });
        },
      };
    },
  };
}

/** The first operation's type and name in a document that may not parse (no parsing twice for a log line). */
const FIRST_OPERATION = /^\s*(query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/;

interface RunningOperation {
  requestId: string;
  operation: string;
  type: string;
  startedAt: number;
  code: string;
}

/**
 * One access line per WebSocket operation at info: when it completes (a query's answer, a
 * subscription's end) or is refused before it runs.
 */
export function webSocketAccessLog(log: Logger, recordAccess: RecordAccess) {
  const running = new WeakMap<object, Map<string, RunningOperation>>();
  const write = (entry: RunningOperation, viewerId: string | null) =>
    recordAccess(log, {
      requestId: entry.requestId,
      transport: 'ws',
      operation: entry.operation,
      type: entry.type,
      viewerId,
      code: entry.code,
      ms: Math.round((performance.now() - entry.startedAt) * 10) / 10,
    });
  return {
    started(socket: object, id: string, requestId: string, document: DocumentNode, operationName: string | null | undefined) {
      const operation = getOperationAST(document, operationName);
      const entries = running.get(socket) ?? new Map<string, RunningOperation>();
      running.set(socket, entries);
      entries.set(id, { requestId, operation: operationLabel(operation?.name?.value ?? operationName), type: operation?.operation ?? 'unknown', startedAt: performance.now(), code: 'OK' });
    },
    /** A result carried errors: the line reports the first. */
    erred(socket: object, id: string, errors: ReadonlyArray<{ extensions?: Record<string, unknown> }>) {
      const entry = running.get(socket)?.get(id);
      if (entry && entry.code === 'OK') entry.code = outcomeCode(errors);
    },
    completed(socket: object, id: string, viewerId: string | null) {
      const entries = running.get(socket);
      const entry = entries?.get(id);
      if (!entry) return;
      entries!.delete(id);
      write(entry, viewerId);
    },
    /** An error message ends the operation: refused before it ran (no context was made) or failed. */
    failed(socket: object, id: string, payload: { operationName?: string | null; query: string }, errors: ReadonlyArray<{ extensions?: Record<string, unknown> }>, viewerId: string | null) {
      const entries = running.get(socket);
      const named = FIRST_OPERATION.exec(payload.query);
      const entry = entries?.get(id) ?? {
        requestId: `ws:${id}`,
        operation: operationLabel(payload.operationName ?? named?.[2]),
        type: named?.[1] ?? 'unknown',
        startedAt: performance.now(),
        code: 'OK',
      };
      entries?.delete(id);
      entry.code = outcomeCode(errors, 'BAD_USER_INPUT'); // graphql-ws's own refusals (validation) carry no code
      write(entry, viewerId);
    },
  };
}
