import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { Services } from '../services';
import { createContext, type Context, type Viewer } from './context';
import { AppError } from './errors';
import { formatError } from './format-error';

const GRAPHQL_PATH = '/graphql';
const BODY_LIMIT = '64kb';

export interface App {
  httpServer: Server;
  /** Starts listening; resolves with the port. */
  listen(port: number, host?: string): Promise<number>;
  /** Stops accepting, finishes requests in flight, closes sockets (1001) and the database, within 10 s. */
  stop(): Promise<void>;
}

type SocketExtra = { viewer?: Viewer | null } & Record<PropertyKey, unknown>;

/** One http server: Apollo (HTTP) and graphql-ws (WebSocket) on /graphql, health on /healthz and /readyz. */
export async function createApp(services: Services, schema: GraphQLSchema): Promise<App> {
  const { config, log } = services;
  const production = config.nodeEnv === 'production';
  const app = express();
  app.disable('x-powered-by');
  const httpServer = createServer(app);
  const wsServer = new WebSocketServer({ server: httpServer, path: GRAPHQL_PATH, maxPayload: 64 * 1024 });

  const authenticate = async (header: unknown): Promise<Viewer | null> => services.authenticator.authenticate(header);

  const wsCleanup = useServer<Record<string, unknown>, SocketExtra>(
    {
      schema,
      connectionInitWaitTimeout: 3_000,
      onConnect: async (socketCtx) => {
        try {
          socketCtx.extra.viewer = await authenticate(socketCtx.connectionParams?.authorization);
          return socketCtx.extra.viewer !== null;
        } catch {
          return false; // graphql-ws closes with 4403 Forbidden, no detail
        }
      },
      context: (socketCtx): Context =>
        createContext({ requestId: randomUUID(), log, services, viewer: socketCtx.extra.viewer ?? null }),
    },
    wsServer,
  );

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: !production,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: true,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    formatError: (formatted, error) => formatError(log, formatted, error),
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer, stopGracePeriodMillis: 8_000 }),
      ...(production ? [ApolloServerPluginLandingPageDisabled()] : []),
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    try {
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
      next();
    },
    express.json({ limit: BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const requestId: string = res.locals.requestId;
        let viewer: Viewer | null;
        try {
          viewer = await authenticate(req.headers.authorization);
        } catch (error) {
          if (error instanceof AppError) {
            throw new GraphQLError(error.message, { extensions: { code: error.code, http: { status: 401 } } });
          }
          throw error;
        }
        return createContext({ requestId, log: log.child({ requestId }), services, viewer });
      },
    }),
  );

  let stopping: Promise<void> | undefined;
  return {
    httpServer,
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          const address = httpServer.address();
          resolve(typeof address === 'object' && address ? address.port : port);
        });
      }),
    stop: () => {
      stopping ??= (async () => {
        const force = setTimeout(() => httpServer.closeAllConnections(), 9_000);
        force.unref();
        for (const client of wsServer.clients) client.close(1001, 'Server shutting down');
        await wsCleanup.dispose();
        await apollo.stop(); // stops accepting and waits for requests in flight
        await new Promise<void>((resolve) => wsServer.close(() => resolve()));
        if (httpServer.listening) await new Promise<void>((resolve) => httpServer.close(() => resolve()));
        clearTimeout(force);
      })();
      return stopping;
    },
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}
