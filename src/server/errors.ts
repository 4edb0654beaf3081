import { GraphQLError } from 'graphql';

/** The contract's error codes (extensions.code). */
export const ERROR_CODES = [
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'BAD_USER_INPUT',
  'CONFLICT',
  'REPLACEMENT_REQUIRED',
  'INVARIANT',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'RESYNC_REQUIRED',
  'UNAVAILABLE',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * The one error type services throw. Its message is safe to show; `extensions` add
 * structured detail (field, invalid, resources, ...). Anything that is not an AppError
 * reaches the client as INTERNAL_SERVER_ERROR with no detail.
 */
export class AppError extends GraphQLError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super(message, { extensions: { ...extra, code } });
  }
}

export const unauthenticated = (message = 'Sign in with a valid token') => new AppError('UNAUTHENTICATED', message);
export const forbidden = (message = 'You may not do this') => new AppError('FORBIDDEN', message);
export const notFound = (what = 'object') => new AppError('NOT_FOUND', `No such ${what}`);
export const badInput = (field: string, message: string, extra: Record<string, unknown> = {}) =>
  new AppError('BAD_USER_INPUT', message, { field, ...extra });
export const conflict = (message: string, extra: Record<string, unknown> = {}) => new AppError('CONFLICT', message, extra);
export const invariant = (message: string) => new AppError('INVARIANT', message);
export const UNAVAILABLE_MESSAGE = 'The database did not answer in time; try again';
/** The database did not answer in time (a client-side timeout, a full pool): HTTP 503, safe to retry. */
export const unavailable = () => new AppError('UNAVAILABLE', UNAVAILABLE_MESSAGE, { http: { status: 503 } });
