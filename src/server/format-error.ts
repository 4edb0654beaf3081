import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { isDatabaseTimeout } from '../database/timeouts';
import { requestLog } from './request-log';
import { AppError, ERROR_CODES, UNAVAILABLE_MESSAGE, type ErrorCode } from './errors';
import { tokenLimit, tokenLimitOf } from './limits/document-limits';

const KNOWN = new Set<string>(ERROR_CODES);

/** Error codes that graphql-js and Apollo give to a malformed request: the client's mistake. */
const REQUEST_ERRORS = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_NOT_FOUND',
]);

/**
 * Every error leaves with one of the contract's codes. Ours (AppError) pass as they are; a
 * malformed request is BAD_USER_INPUT; a database that did not answer in time is UNAVAILABLE;
 * anything else is logged with its stack and reaches the client as INTERNAL_SERVER_ERROR with no detail.
 */
export function formatError(log: Logger, formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  // No field, type or enum-value suggestions: they would map the schema for a stranger.
  // (Apollo hides them on HTTP validation errors; this also covers coercion and the WebSocket.)
  formatted = { ...formatted, message: formatted.message.replace(/ ?Did you mean(.+?)\?$/, '') };
  const code = formatted.extensions?.code as string | undefined;
  const original = unwrapResolverError(error);
  const limit = limitRefusal(formatted, code, error);
  if (limit) return limit;
  if (code && KNOWN.has(code) && code !== 'INTERNAL_SERVER_ERROR' && (original instanceof GraphQLError || !(original instanceof Error))) {
    return stripStack(formatted);
  }
  if (code && REQUEST_ERRORS.has(code)) {
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' satisfies ErrorCode } };
  }
  if (original instanceof GraphQLError && !original.originalError && !code) {
    // graphql-js's own errors (coercion, non-null violations) are about the request.
    return { message: formatted.message, locations: formatted.locations, path: formatted.path, extensions: { code: 'BAD_USER_INPUT' } };
  }
  if (isDatabaseTimeout(error)) {
    requestLog(log).warn({ err: original, path: formatted.path }, 'the database did not answer in time');
    return { message: UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: 'UNAVAILABLE' satisfies ErrorCode } };
  }
  requestLog(log).error({ err: original, path: formatted.path }, 'unexpected error');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** HTTP 503 for an answer that carries UNAVAILABLE: formatError cannot set the status; this hook runs before it. */
export const unavailableStatus: ApolloServerPlugin = {
  async requestDidStart() {
    return {
      async didEncounterErrors({ errors, response }) {
        if (errors.some(isDatabaseTimeout)) response.http.status = 503;
      },
    };
  },
};

/** A protective limit's refusal that reaches us inside another library's error: QUERY_TOO_COMPLEX. */
function limitRefusal(formatted: GraphQLFormattedError, code: string | undefined, error: unknown): GraphQLFormattedError | undefined {
  const tooComplex = (message: string, extensions: Record<string, unknown> = {}) =>
    stripStack({ message, locations: formatted.locations, extensions: { ...extensions, code: 'QUERY_TOO_COMPLEX' satisfies ErrorCode } });
  // Apollo wraps what validation rules report (ours: depth, aliases, directives) as GRAPHQL_VALIDATION_FAILED.
  if (code === 'GRAPHQL_VALIDATION_FAILED' && error instanceof GraphQLError && error.originalError instanceof AppError) {
    return tooComplex(error.originalError.message, error.originalError.extensions);
  }
  // graphql-js's own protections: the parser's token cap (Apollo's parseOptions) and the validator's work budget.
  const maxTokens = tokenLimitOf(formatted.message);
  if (maxTokens !== undefined) return tooComplex(tokenLimit(maxTokens).message, { limit: 'tokens', max: maxTokens });
  if (formatted.message === 'Validation aborted.') return tooComplex('The document is too complex to validate', { limit: 'validation' });
  return undefined;
}

/** Drops the stack and the transport hint `http` (Apollo strips the latter on HTTP; the WebSocket path does not). */
function stripStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions || 'http' in formatted.extensions)) return formatted;
  const { stacktrace: _drop, http: _http, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
