import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { startService } from './bootstrap';
import { seedDemo } from './demo/seed';
import { mintToken } from './dev-token';
import { createLogger } from './server/logger';

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const log = createLogger(config.logLevel);
  const started = Date.now();
  const service = await startService(config, log);
  const database = config.databaseUrl ? (config.databaseUrl === 'memory' ? 'in-memory PGlite' : 'PostgreSQL') : `embedded PGlite in ${config.dataDir}`;
  log.info({ port: service.port, database, ms: Date.now() - started }, 'workspace-api listening');

  if (config.seedDemo) {
    const demo = await seedDemo(service.services.db, log);
    const url = `http://localhost:${service.port}/graphql`;
    const lines = [`workspace-api is up on ${url} (${database})`];
    if (config.jwtSecret) {
      const token = await mintToken(config.jwtSecret, { sub: demo.admin.subject, email: demo.admin.email, name: demo.admin.name });
      lines.push(
        `Demo workspace "${demo.workspaceName}" (${demo.workspaceId}); ADMIN ${demo.admin.email}.`,
        config.jwtSecretGenerated ? 'The signing secret was generated for this run: the token works until the service restarts.' : '',
        `Token:\n${token}\n`,
        `Activity Center: http://localhost:${service.port}/activity/ (sign in with the token)\n`,
        `Try it:\ncurl -s ${url} -H 'content-type: application/json' -H "authorization: Bearer ${token}" \\\n  -d '{"query":"{ viewer { email workspaces { id name viewerRole } } }"}'\n`,
      );
    }
    console.log('\n' + lines.filter(Boolean).join('\n'));
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    service.close().then(
      () => process.exit(0),
      (error) => {
        log.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
