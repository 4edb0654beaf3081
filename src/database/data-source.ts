import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { DataSource, type Logger as TypeOrmLogger } from 'typeorm';
import { migrations } from '../../migrations';
import { lockDataDir, type DataDirLock } from './data-dir-lock';
import { entities } from './entities';
import { pgliteDriverModule } from './pglite-pool';
import { PreparingClient } from './prepared-statements';
import { TimeoutClient } from './timeouts';

// pg returns bigint (int8) and count(*) as strings; PGlite returns numbers. Make both numbers:
// every int8 here (sequence numbers, counts) stays far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export interface DatabaseOptions {
  /** undefined: embedded PGlite in dataDir; 'memory': in-memory PGlite; else a postgres:// URL. */
  url: string | undefined;
  dataDir?: string;
  poolSize?: number;
  /** Milliseconds before PostgreSQL cancels a statement. */
  statementTimeoutMs?: number;
  /** Milliseconds to wait for a new connection (a pool at its size waits for a free one too). */
  connectTimeoutMs?: number;
  /** Milliseconds before the client gives up on a query and drops its connection (the server may never answer). */
  queryTimeoutMs?: number;
  /** Milliseconds a connection may be silent before TCP keepalive probes it. */
  keepAliveMs?: number;
  /** Parameterised statements sent as named (prepared) ones: prepared-statements.ts. */
  preparedStatements?: boolean;
  logger?: TypeOrmLogger;
  applicationName?: string;
  /** What opens the embedded data directory, as a refused second process is told ("the CLI (migrate)"). */
  holder?: string;
  /** In-memory PGlite only: start from this dump of another instance's files (the tests' migrated template). */
  snapshot?: Blob;
}

export interface Database {
  dataSource: DataSource;
  kind: 'postgres' | 'pglite';
  /** The embedded instance, when there is one (its LISTEN/NOTIFY serves the job feed). */
  pglite?: PGlite;
  /** The embedded data directory's lock, held until close() (or the process's exit). */
  lock?: DataDirLock;
  close(): Promise<void>;
}

/** The one DataSource factory: the app, the tests, the CLI and ormconfig.ts all use it. */
export function buildDatabase(options: DatabaseOptions): Database {
  const common = {
    type: 'postgres' as const,
    entities,
    migrations,
    migrationsTableName: 'typeorm_migrations',
    synchronize: false,
    logger: options.logger,
    logging: options.logger ? ('all' as const) : false,
  };
  if (options.url && options.url !== 'memory') {
    const dataSource = new DataSource({
      ...common,
      url: options.url,
      poolSize: options.poolSize ?? 10,
      applicationName: options.applicationName ?? 'workspace-api',
      extra: {
        // Sent in the startup packet, so every pooled session has it, also after a reconnect.
        statement_timeout: options.statementTimeoutMs ?? 15_000,
        connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
        idleTimeoutMillis: 30_000,
        // statement_timeout needs a server that hears the client: a query on a connection that
        // stopped answering (packets dropped) fails here instead, and the connection is dropped.
        Client: options.preparedStatements === false ? TimeoutClient : PreparingClient,
        query_timeout: options.queryTimeoutMs ?? 20_000,
        // The server's side of a vanished client: a transaction left waiting ends, and its locks go.
        idle_in_transaction_session_timeout: options.queryTimeoutMs ?? 20_000,
        // A dead server (no RST) is noticed by TCP keepalive instead of hanging a pooled client.
        keepAlive: true,
        keepAliveInitialDelayMillis: options.keepAliveMs ?? 10_000,
      },
    });
    return { dataSource, kind: 'postgres', close: () => destroy(dataSource) };
  }
  let dataDir: string | undefined;
  let lock: DataDirLock | undefined;
  if (options.url !== 'memory') {
    dataDir = options.dataDir ?? './data';
    mkdirSync(dataDir, { recursive: true });
    lock = lockDataDir(dataDir, options.holder ?? 'a workspace-api process');
  }
  const pglite = options.snapshot ? new PGlite({ loadDataDir: options.snapshot }) : new PGlite(dataDir);
  const dataSource = new DataSource({ ...common, driver: pgliteDriverModule, extra: { pglite } });
  return {
    dataSource,
    kind: 'pglite',
    pglite,
    lock,
    close: async () => {
      await destroy(dataSource);
      if (!pglite.closed) await pglite.close();
      lock?.release(); // after the files are closed
    },
  };
}

/** Builds and connects. Migrations are run by the caller (main, tests, CLI). */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const db = buildDatabase(options);
  try {
    if (db.pglite) await db.pglite.waitReady;
    await db.dataSource.initialize();
  } catch (error) {
    db.lock?.release();
    throw error;
  }
  return db;
}

async function destroy(dataSource: DataSource): Promise<void> {
  if (dataSource.isInitialized) await dataSource.destroy();
}

/** Connections in use and queries waiting, from pg's pool (PGlite is one connection: never waiting). */
export function poolUse(database: Database): { inUse: number; waiting: number } {
  const pool = (database.dataSource.driver as unknown as { master?: { totalCount: number; idleCount: number; waitingCount: number } }).master;
  if (database.kind !== 'postgres' || !pool) return { inUse: 0, waiting: 0 };
  return { inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount };
}
