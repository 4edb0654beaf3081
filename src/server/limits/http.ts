import type { ApolloServerPlugin } from '@apollo/server';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Limits } from '../../config';
import type { Context } from '../context';
import type { ErrorCode } from '../errors';
import { priceOperation } from './document-limits';
import { ExecutionBudget, stopError } from './execution-budget';
import { rateLimitHeaders, type OperationRateLimiter } from './rate-limit';

/** A GraphQL-shaped error body, for answers written before or instead of Apollo's. */
export function sendError(res: Response, status: number, code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): void {
  res.status(status).type('application/json').send(JSON.stringify({ errors: [{ message, extensions: { ...extensions, code } }] }));
}

/**
 * The HTTP path's limits that Apollo's options cannot express, which need the request's
 * variables: the cost, and the rate limit charged in points once the cost is known (the
 * RateLimit-* headers say where the counter stands). A request that never gets that far (a
 * document that does not parse or validate, a cost over the limit) is charged 1 point. (The
 * token cap is Apollo's `parseOptions`; depth, aliases and directives are `validationRules`.)
 */
export function limitsPlugin(limits: Limits, rateLimiter: OperationRateLimiter): ApolloServerPlugin<Context> {
  const count = async (ctx: Context, points: number, http: { headers: Map<string, string> } | undefined) => {
    const key = ctx.viewer ? { userId: ctx.viewer.userId } : { ip: ctx.clientIp ?? 'unknown' };
    ctx.rateLimit = await rateLimiter.consume(key, points);
    for (const [name, value] of rateLimitHeaders(ctx.rateLimit)) http?.headers.set(name, value);
  };
  return {
    async requestDidStart() {
      let counted = false;
      return {
        async didResolveOperation({ schema, document, request, operationName, contextValue, response }) {
          const { points } = priceOperation(schema, document, request.variables, operationName, limits);
          counted = true;
          await count(contextValue, points, response.http);
        },
        async willSendResponse({ contextValue, response }) {
          if (counted) return;
          counted = true;
          // Too late to refuse this answer (it is an error anyway): the count refuses the next.
          await count(contextValue, 1, response.http).catch(() => undefined);
        },
      };
    },
  };
}

/**
 * Cuts a request that has not answered in time with QUERY_TOO_COMPLEX (`limit: timeout`, HTTP
 * 503) and stops its work (`res.locals.budget`, the request context's): no resolver runs and no
 * statement is sent after that; one already running is bounded by statement_timeout. A client
 * that goes away stops a query's work the same way.
 */
export function requestTimeout(limits: Limits, log: Logger): RequestHandler {
  return (req, res, next) => {
    const budget = new ExecutionBudget(limits);
    res.locals.budget = budget;
    const timer = setTimeout(() => {
      budget.stop('timeout');
      if (res.headersSent) return;
      res.locals.timedOut = true;
      log.warn({ requestId: res.locals.requestId, ms: limits.requestTimeoutMs }, 'request timed out');
      res.setHeader('connection', 'close');
      const { message, extensions } = stopError('timeout', limits);
      const { code: _code, http: _http, ...detail } = extensions;
      sendError(res, 503, 'QUERY_TOO_COMPLEX', message, detail);
    }, limits.requestTimeoutMs);
    timer.unref();
    res.once('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) budget.abandoned();
    });
    res.once('finish', () => clearTimeout(timer));
    next();
  };
}

/**
 * Errors of the body parser (too large, malformed JSON, unsupported charset) and answers
 * attempted after a timeout: a GraphQL error body with a contract code, never an HTML page.
 */
export function httpErrors(log: Logger): ErrorRequestHandler {
  return (error, _req, res, _next) => {
    if (res.headersSent || res.locals.timedOut) return; // a late answer to a request already cut
    const type = typeof error?.type === 'string' ? error.type : '';
    const status = typeof error?.status === 'number' && error.status >= 400 && error.status < 500 ? error.status : 400;
    if (type === 'entity.too.large') {
      sendError(res, 413, 'BAD_USER_INPUT', `The request body is larger than ${error.limit} bytes`);
    } else if (type === 'entity.parse.failed') {
      sendError(res, 400, 'BAD_USER_INPUT', 'The request body is not valid JSON');
    } else if (type === 'entity.verify.failed') {
      sendError(res, 400, 'BAD_USER_INPUT', 'The request body is not valid UTF-8');
    } else if (type.endsWith('.unsupported')) {
      sendError(res, status, 'BAD_USER_INPUT', 'Send the body as UTF-8 JSON (identity, gzip, deflate or br encoding)');
    } else if (type.startsWith('request.') || type.startsWith('entity.')) {
      sendError(res, status, 'BAD_USER_INPUT', 'The request body could not be read');
    } else {
      log.error({ err: error, requestId: res.locals.requestId }, 'unexpected HTTP error');
      sendError(res, 500, 'INTERNAL_SERVER_ERROR', 'Internal server error');
    }
  };
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * For express.json's `verify`: refuses a body that is not valid UTF-8, which the parser would
 * otherwise decode to U+FFFD and run (a name of replacement characters, written).
 */
export function requireUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  strictUtf8.decode(body);
}
