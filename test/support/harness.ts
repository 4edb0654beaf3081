import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { startService, type RunningService } from '../../src/bootstrap';
import { loadConfig, type Config } from '../../src/config';
import { openDatabase, type Database } from '../../src/database/data-source';
import { mintToken } from '../../src/dev-token';
import { adminQuery } from './global-setup';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256!';

export interface GqlResult<T = any> {
  status: number;
  data?: T;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

/**
 * A fresh database per test file: a new database on the PostgreSQL server of
 * TEST_DATABASE_URL, or an in-memory PGlite when it is unset. `migrated`: a copy of the run's
 * migrated template (test/support/global-setup.ts) instead of an empty one.
 */
export async function freshDatabase(options: { migrated?: boolean } = {}): Promise<{ url: string; database: Database; drop(): Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const snapshotPath = options.migrated ? process.env.WSAPI_TEST_PGLITE_SNAPSHOT : undefined;
    const snapshot = snapshotPath ? new Blob([readFileSync(snapshotPath)]) : undefined;
    const database = await openDatabase({ url: 'memory', snapshot });
    return { url: 'memory', database, drop: async () => undefined };
  }
  const name = `wsapi_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const template = options.migrated ? process.env.WSAPI_TEST_TEMPLATE_DB : undefined;
  await adminQuery(serverUrl, template ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 10 });
  return {
    url: url.toString(),
    database,
    drop: () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', AUTH_JWT_SECRET: TEST_SECRET, PORT: '0', LOG_LEVEL: 'silent', SEED_DEMO: 'false', ...overrides });
}

export interface TestServer {
  url: string;
  wsUrl: string;
  service: RunningService;
  database: Database;
  /** The service's DataSource, for setting up data and checking rows. */
  db: Database['dataSource'];
  /** A token for a person (made on first use by the service). */
  token(email: string, name?: string): Promise<string>;
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  /** A graphql-ws client; closed by close(). */
  ws(token?: string, options?: Partial<Parameters<typeof createClient>[0]>): Client;
  /** Another instance of the service on the same database, with the same configuration. */
  secondInstance(): Promise<RunningService>;
  close(): Promise<void>;
}

/** `options.log`: the service's logger (to read what it logs); silent by default. */
export async function startTestServer(configOverrides: Record<string, string> = {}, options: { log?: Logger } = {}): Promise<TestServer> {
  const fresh = await freshDatabase({ migrated: true });
  const config = testConfig({ ...configOverrides });
  const log = options.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const service = await startService(config, log, { database: fresh.database, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${service.port}/graphql`;
  const wsUrl = `ws://127.0.0.1:${service.port}/graphql`;
  const clients: Client[] = [];
  const others: RunningService[] = [];

  const server: TestServer = {
    url,
    wsUrl,
    service,
    database: fresh.database,
    db: fresh.database.dataSource,
    token: (email, name) => mintToken(TEST_SECRET, { sub: `test|${email.toLowerCase()}`, email, name }),
    gql: async (query, variables, token) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await res.json()) as GqlResult;
      return { ...body, status: res.status };
    },
    ws: (token, options = {}) => {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        lazy: true,
        retryAttempts: 0,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        ...options,
      });
      clients.push(client);
      return client;
    },
    secondInstance: async () => {
      if (fresh.url === 'memory') throw new Error('a second instance needs PostgreSQL (TEST_DATABASE_URL)');
      const other = await startService(testConfig({ ...configOverrides, DATABASE_URL: fresh.url }), log, { host: '127.0.0.1' });
      others.push(other);
      return other;
    },
    close: async () => {
      await Promise.all(clients.map((c) => c.dispose()));
      for (const other of others) await other.close();
      await service.close();
      await fresh.database.close();
      await fresh.drop();
    },
  };
  return server;
}

/** The data of a result that must have succeeded (throws with the errors otherwise). */
export function ok<T = any>(res: GqlResult<T>): T {
  if (res.errors || !res.data) throw new Error(`unexpected errors: ${JSON.stringify(res.errors)}`);
  return res.data;
}

/** The only error code of a result (fails loudly when there is none). */
export function errorCode(result: GqlResult): string | undefined {
  return result.errors?.[0]?.extensions?.code;
}
