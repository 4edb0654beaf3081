import 'reflect-metadata';
import type { Logger } from 'pino';
import type { Config } from './config';
import { openDatabase, type Database } from './database/data-source';
import { buildAppSchema } from './schema';
import { createApp, type App } from './server/app';
import { Authenticator } from './server/authentication';
import type { Services } from './services';

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
  const database = options.database ?? (await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir }));
  await database.dataSource.runMigrations({ transaction: 'each' });
  const services: Services = {
    config,
    log,
    database,
    db: database.dataSource,
    authenticator: new Authenticator(config, database.dataSource),
  };
  const schema = await buildAppSchema();
  const app = await createApp(services, schema);
  const port = await app.listen(config.port, options.host);
  return {
    app,
    services,
    port,
    close: async () => {
      await app.stop();
      if (!options.database) await database.close();
    },
  };
}
