import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from './errors';

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
 * malformed request is BAD_USER_INPUT; anything else is logged with its stack and reaches the
 * client as INTERNAL_SERVER_ERROR with no detail.
 */
export function formatError(log: Logger, formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const code = formatted.extensions?.code as string | undefined;
  const original = unwrapResolverError(error);
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
  log.error({ err: original, path: formatted.path }, 'unexpected error');
  return { message: 'Internal server error', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

function stripStack(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _drop, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
