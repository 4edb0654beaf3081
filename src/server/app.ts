import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Services } from '../services';
import { UNAUTHORIZED } from './connections';
import { createContext, type Context, type Viewer } from './context';
import type { SignIn } from './authentication';
import { isDatabaseTimeout } from '../database/timeouts';
import { AppError, unavailable } from './errors';
import { formatError, unavailableStatus } from './format-error';
import { queryExecutor, type ExecutionCounts } from './query-executor';
import { limitRules } from './limits/document-limits';
import { executeWithinBudget, operationBudget, type ExecutionBudget } from './limits/execution-budget';
import { httpErrors, limitsPlugin, requestTimeout, requireUtf8 } from './limits/http';
import { createRateLimiter, rateLimitHeaders } from './limits/rate-limit';
import { connectRedis } from './limits/redis';
import { connectionCounter } from './limits/ws-connections';
import { webSocketLimits, type SocketExtra } from './limits/websocket';
import type { DocumentCacheStats } from './limits/document-cache';
import { accessLogPlugin, webSocketAccessLog, type RecordAccess } from './access-log';
import { withRequest } from './request-log';
import { longLivedId } from './long-lived-id';
import { httpMetrics, metricsEndpoint } from './metrics';
import { idempotencyPlugin } from '../modules/idempotency/idempotency.plugin';
import { activityPage } from '../web/activity-page';
import { invitationPage } from '../web/invitation-page';

const GRAPHQL_PATH = '/graphql';
const TRY_AGAIN_LATER = 1013;
const SERVICE_RESTART = 1012;

export interface App {
  httpServer: Server;
  /** Starts listening; resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** From now on /readyz answers 503 (a balancer takes the instance out); everything else is still served. */
  drain(): void;
  /** Stops accepting, finishes requests in flight, closes sockets (1012: clients reconnect at once), within 10 s. */
  stop(): Promise<void>;
  /** HTTP operations run so far, compiled or on graphql-js (src/server/query-executor.ts). */
  executions(): ExecutionCounts;
  /** The WebSocket path's parse + validate cache (src/server/limits/document-cache.ts). */
  wsDocuments(): DocumentCacheStats;
}

/** One http server: Apollo (HTTP) and graphql-ws (WebSocket) on /graphql, health on /healthz and /readyz. */
export async function createApp(services: Services, schema: GraphQLSchema): Promise<App> {
  const { config, log } = services;
  const production = config.nodeEnv === 'production';
  const limits = config.limits;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy || false);
  app.use(httpMetrics(services.metrics));
  const httpServer = createServer(app);
  // Slow senders (slowloris) get no longer to send their request than a request has to answer.
  httpServer.requestTimeout = limits.requestTimeoutMs;
  httpServer.headersTimeout = Math.min(limits.requestTimeoutMs, 10_000);
  // A message larger than this closes the socket with 1009 (Message Too Big).
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: limits.maxRequestBytes });
  const redis = config.redisUrl ? connectRedis(config.redisUrl, log) : undefined;
  const rateLimiter = createRateLimiter(limits, redis, log);
  const connectionCount = connectionCounter(limits.wsMaxConnectionsPerUser, redis, log);
  const wsLimits = webSocketLimits({
    schema,
    limits,
    production,
    rateLimiter,
    connections: connectionCount,
    log,
    clients: () => wsServer.clients,
    observer: { connectionRefused: () => services.metrics.rateLimitRefusals.inc({ transport: 'ws' }), dropped: () => services.metrics.feedDropped.inc() },
  });
  wsServer.on('connection', (socket) => wsLimits.watch(socket));

  const recordAccess: RecordAccess = (requestLog, record) => {
    requestLog.info(record, 'access');
    services.metrics.observe(record);
  };
  const wsAccessLog = webSocketAccessLog(log, recordAccess);
  const authenticate = async (header: unknown): Promise<Viewer | null> => services.authenticator.authenticate(header);

  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      connectionInitWaitTimeout: limits.wsInitTimeoutMs,
      onConnect: async (socketCtx) => {
        const { socket } = socketCtx.extra;
        // Only the address of the upgrade request is read later: its headers are not kept for the connection's life.
        (socketCtx.extra as { request: SocketExtra['request'] }).request = { socket: { remoteAddress: socketCtx.extra.request.socket.remoteAddress } };
        try {
          socketCtx.extra.viewer = await authenticate(socketCtx.connectionParams?.authorization);
        } catch (error) {
          if (!(error instanceof AppError && error.code === 'UNAUTHENTICATED')) {
            // Not the token's fault (the database): 1013 Try Again Later, which clients retry.
            log.warn({ err: error }, 'WebSocket sign-in could not be checked');
            socket.close(TRY_AGAIN_LATER, 'Try again later');
            return false;
          }
          // Counted against the address, as on HTTP: guessing tokens is rate limited on both.
          await rateLimiter.consume({ ip: socketCtx.extra.request.socket.remoteAddress ?? 'unknown' }, 1).catch(() => undefined);
        }
        const viewer = socketCtx.extra.viewer;
        // 4401, not graphql-ws's 4403 for `false`: its client retries 4403 with the same credentials.
        if (!viewer) socket.close(UNAUTHORIZED, 'Unauthorized');
        if (!viewer || !(await wsLimits.admit(socketCtx, viewer))) return false;
        services.connections.add(socket, viewer);
        return true;
      },
      onSubscribe: async (socketCtx, id, payload) => {
        // The limits first: they count the operations running at once before anything awaits.
        const args = await wsLimits.onSubscribe(socketCtx, id, payload);
        return (await services.connections.refusal(socketCtx.extra.socket, () => authenticate(socketCtx.connectionParams?.authorization))) ?? args;
      },
      onNext: (socketCtx, id, payload, args, result) => {
        if (!result.errors) return wsLimits.onNext(socketCtx, id, payload, args, result);
        wsAccessLog.erred(socketCtx.extra.socket, id, result.errors);
        const ctx = args.contextValue as Context;
        return withRequest(ctx, () => wsLimits.onNext(socketCtx, id, payload, args, result));
      },
      onError: (socketCtx, id, payload, errors) => {
        wsAccessLog.failed(socketCtx.extra.socket, id, payload, errors, socketCtx.extra.viewer?.userId ?? null);
        return wsLimits.onError(socketCtx, id, payload, errors);
      },
      onComplete: (socketCtx, id) => wsAccessLog.completed(socketCtx.extra.socket, id, socketCtx.extra.viewer?.userId ?? null),
      onClose: (socketCtx, code, reason) => {
        services.connections.remove(socketCtx.extra.socket);
        return wsLimits.onClose(socketCtx, code, reason);
      },
      // The operation's id, socket and document go along: the job feed writes its events itself.
      context: (socketCtx, id, _payload, args): Context => {
        const requestId = longLivedId(); // the access log keeps it until the operation ends
        wsAccessLog.started(socketCtx.extra.socket, id, requestId, args.document, args.operationName);
        return createContext({
          requestId,
          log: log.child({ requestId }),
          services,
          viewer: socketCtx.extra.viewer ?? null,
          transport: { operationId: id, socket: socketCtx.extra.socket, document: args.document, variableValues: args.variableValues, operationName: args.operationName },
          budget: operationBudget(limits, args),
          clientIp: socketCtx.extra.request.socket.remoteAddress,
          rateLimit: wsLimits.rateLimitOf(args),
        });
      },
      // A feed subscription (jobEvents): graphql-ws iterates the feed's own stream rather than
      // graphql-js's mapping of it, and lets the operation's context go. The feed writes the
      // events itself, in a context per round, so nothing reads this one again, and kept for the
      // subscription's life its loaders, cached rows and logger were most of a subscriber's heap.
      onOperation: (_socketCtx, _id, _payload, args) => {
        const feed = (args.contextValue as Context | undefined)?.transport?.feed;
        if (!feed) return;
        (args as { contextValue?: unknown }).contextValue = undefined;
        return feed;
      },
      // Its spans and error lines carry the operation's request id.
      execute: (args) => withRequest(args.contextValue as Context, () => executeWithinBudget(args)),
    },
    wsServer,
  );

  const executor = queryExecutor(schema, config.execution);
  const apollo = new ApolloServer<Context>({
    gateway: executor.gateway,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    persistedQueries: false, // clients send whole documents; APQ would only add an error path

    // A request a browser would send cross-site without asking (a simple GET or form POST) is
    // refused unless it carries a header that forces a preflight. Authorization is one: clients
    // that send queries as GET by default (urql) carry it, and a cross-site page cannot add it unasked.
    csrfPrevention: { requestHeaders: ['x-apollo-operation-name', 'apollo-require-preflight', 'authorization'] },
    // main.ts owns SIGTERM/SIGINT. Apollo's own handler (on by default outside tests) races
    // it: close() then hung until main's 10 s timer exited with 1.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: limits.maxTokens },
    validationRules: limitRules(limits),
    formatError: (formatted, error) => formatError(log, formatted, error),
    plugins: [
      accessLogPlugin(recordAccess),
      limitsPlugin(limits, rateLimiter),
      unavailableStatus,
      // Safe retries of mutations sent with an Idempotency-Key (after the limits: a refused request is not kept).
      idempotencyPlugin({ requestTimeoutMs: limits.requestTimeoutMs }),
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 8_000 }),
      // No HTTP caching of GraphQL answers here: without this, Apollo hooks every field resolved.
      ApolloServerPluginCacheControlDisabled(),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();
  await redis?.ready();

  // The Activity Center page (static files; it talks to /graphql like any client).
  app.use('/activity', activityPage());
  // Where invitation mail links lead: its own page, or the app's sign-in when APP_SIGN_IN_URL is set.
  app.use('/invitations', invitationPage(config.appSignInUrl));
  app.get('/metrics', metricsEndpoint(services.metrics, config.metricsToken));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Not ready while the job feed is not keeping up (a stalled loop, the LISTEN connection down) or the database does not answer.
  let draining = false;
  app.get('/readyz', async (_req, res) => {
    try {
      if (draining) throw new Error('draining: stopping soon');
      if (!services.jobFeed.healthy) throw new Error('the job feed is not keeping up');
      await withTimeout(services.db.query('SELECT 1'), 2_000);
      res.json({ status: 'ready' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  app.use(
    GRAPHQL_PATH,
    (req, res, next) => {
      const requestId = req.get('x-request-id')?.slice(0, 100) || randomUUID();
      res.setHeader('x-request-id', requestId);
      res.locals.requestId = requestId;
      withRequest({ requestId, log: log.child({ requestId }) }, next);
    },
    requestTimeout(limits, log),
    express.json({ limit: limits.maxRequestBytes, verify: requireUtf8 }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId: string = res.locals.requestId;
        let signIn: SignIn;
        try {
          signIn = await services.authenticator.signIn(req.headers.authorization);
        } catch (error) {
          if (isDatabaseTimeout(error)) throw unavailable();
          // Bad tokens count against the sender's IP (1 point): guessing is rate limited too.
          const state = await rateLimiter.consume({ ip: req.ip ?? 'unknown' }, 1);
          for (const [name, value] of rateLimitHeaders(state)) res.setHeader(name, value);
          if (error instanceof AppError) {
            throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
          }
          throw error;
        }
        // Counted once its cost is known: limitsPlugin.
        const budget: ExecutionBudget = res.locals.budget; // requestTimeout's: stopped at the timeout
        const { viewer, membership } = signIn;
        return createContext({ requestId, log: log.child({ requestId }), services, viewer, membership, budget, clientIp: req.ip });
      },
    }),
  );
  app.use(GRAPHQL_PATH, httpErrors(log));

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    executions: () => ({ ...executor.counts }),
    wsDocuments: () => wsLimits.documents(),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        // ws re-emits the server's errors and graphql-ws prints them with a stack: a failed
        // listen (port in use) is the caller's to report, so only this handler hears it.
        const others = httpServer.rawListeners('error') as Array<(error: Error) => void>;
        httpServer.removeAllListeners('error');
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          for (const listener of others) httpServer.on('error', listener);
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    drain: () => {
      draining = true;
    },
    stop: () => {
      stopping ??= (async () => {
        const force = setTimeout(() => httpServer.closeAllConnections(), 9_000);
        force.unref();
        // 1012 Service Restart: graphql-ws clients reconnect at once (through the balancer, to another instance).
        for (const client of wsServer.clients) client.close(SERVICE_RESTART, 'Service restart');
        await wsCleanup.dispose();
        await apollo.stop(); // stops accepting and waits for requests in flight
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        wsLimits.dispose();
        await connectionCount.close();
        redis?.close();
        clearTimeout(force);
      })();
      return stopping;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
