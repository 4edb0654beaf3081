import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { runCli } from './cli';
import { serveCliRelay } from './cli-relay';
import type { Config } from './config';
import { runPendingMigrations } from './database/migrate';
import { openDatabase, poolUse, type Database } from './database/data-source';
import { waitForDatabase } from './database/wait-for-database';
import { createJobFeed } from './events/create-job-feed';
import { eventLogStats } from './events/job-event-log';
import { expireIdempotencyKeys } from './modules/idempotency/idempotency-expiry';
import { startHeartbeatSweep } from './modules/jobs/heartbeat-sweep';
import { Mailer } from './modules/mail/mailer';
import { WebhookSender } from './modules/webhooks/webhook-sender';
import { buildAppSchema } from './schema';
import { createApp, type App } from './server/app';
import { Authenticator } from './server/authentication';
import { Connections } from './server/connections';
import { Metrics } from './server/metrics';
import { createContext } from './server/context';
import type { Services } from './services';
import { StartupError } from './startup-error';

export interface RunningService {
  app: App;
  services: Services;
  port: number;
  /** Stops the server, then closes the database (unless it was handed in). */
  close(): Promise<void>;
}

/**
 * config -> database -> migrations -> server. main.ts and the tests both start the service
 * through here, so what is tested is what runs.
 */
export async function startService(
  config: Config,
  log: Logger,
  options: { database?: Database; host?: string } = {},
): Promise<RunningService> {
  const database = options.database ?? (await openOwnDatabase(config, log));
  await runPendingMigrations(database);
  const connections = new Connections();
  // The probes read `services` once it is made.
  const metrics = new Metrics({
    webSockets: () => connections.size,
    feedSubscriptions: () => services.jobFeed.subscriptions,
    pool: () => poolUse(database),
    eventLog: () => eventLogStats(database.dataSource),
  });
  const services: Services = {
    config,
    log,
    database,
    db: database.dataSource,
    authenticator: new Authenticator(config, database.dataSource),
    mailer: new Mailer(database.dataSource, log, { smtpUrl: config.smtpUrl, from: config.mailFrom }),
    // Its payloads execute in a fresh context per viewer (the closure reads `services` once it is made).
    jobFeed: createJobFeed({
      database,
      config,
      log,
      contextFor: (viewer, membership) => createContext({ requestId: randomUUID(), log, services, viewer, membership }),
      onRevoked: (revocation) => connections.closeHere(revocation),
      observer: { delivered: (lag) => (metrics.feedLagSeconds.observe(lag), metrics.feedDeliveries.inc()), dropped: () => metrics.feedDropped.inc() },
    }),
    connections,
    webhooks: new WebhookSender(database.dataSource, log, config.webhooks, (outcome) => metrics.webhookDeliveries.inc({ outcome })),
    metrics,
  };
  services.jobFeed.onEvents((workspaceId) => services.webhooks.wake(workspaceId));
  connections.publishWith((revocation) => services.jobFeed.broadcastRevocation(revocation));
  await services.jobFeed.start();
  let app: App;
  let port: number;
  try {
    const schema = await buildAppSchema();
    app = await createApp(services, schema);
    port = await app.listen(config.port, options.host);
  } catch (error) {
    await services.jobFeed.stop(); // its LISTEN connection would keep the process alive
    if (!options.database) await database.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new StartupError(`PORT ${config.port} is in use: stop what holds it or set PORT`);
    if (code === 'EACCES') throw new StartupError(`PORT ${config.port} needs privileges this process lacks: set PORT above 1023`);
    throw error;
  }
  services.mailer.start();
  const heartbeats = startHeartbeatSweep({ db: services.db, jobFeed: services.jobFeed, log, everyMs: config.heartbeatSweepMs });
  const idempotencyExpiry = expireIdempotencyKeys(services.db, log);
  services.webhooks.start();
  database.lock?.update({ holder: `the service on port ${port}` });
  // On the embedded database, the CLI's commands run here (no second process may open it).
  const relay = database.lock ? await serveCliRelay(database.lock, (argv, io) => runCli(argv, { database, io }), log) : undefined;
  return {
    app,
    services,
    port,
    close: async () => {
      app.drain();
      if (config.shutdownDrainMs > 0) {
        log.info({ ms: config.shutdownDrainMs }, 'draining: /readyz answers 503 while the balancer takes this instance out');
        await new Promise((resolve) => setTimeout(resolve, config.shutdownDrainMs));
      }
      await relay?.close();
      await app.stop();
      await heartbeats.stop();
      await idempotencyExpiry.stop();
      await services.mailer.stop();
      await services.webhooks.stop();
      await services.jobFeed.stop();
      if (!options.database) await database.close();
    },
  };
}

/** The configured database: waits for PostgreSQL to come up; locks an embedded data directory. */
async function openOwnDatabase(config: Config, log: Logger): Promise<Database> {
  const url = config.databaseUrl;
  if (url && url !== 'memory') {
    await waitForDatabase(url, { timeoutMs: config.database.startupTimeoutMs, connectTimeoutMs: config.database.connectTimeoutMs, log });
  }
  return openDatabase({
    url,
    dataDir: config.dataDir,
    poolSize: config.database.poolSize,
    statementTimeoutMs: config.database.statementTimeoutMs,
    connectTimeoutMs: config.database.connectTimeoutMs,
    queryTimeoutMs: config.database.queryTimeoutMs,
    keepAliveMs: config.database.keepAliveMs,
    preparedStatements: config.database.preparedStatements,
    holder: `the service on port ${config.port}`,
  });
}

