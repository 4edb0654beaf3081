// First: tracing (when configured) must see http, express, graphql and pg load.
import { tracing } from './instrument';
import 'reflect-metadata';
import { ConfigError, loadConfig, type Config } from './config';
import { startService } from './bootstrap';
import { seedDemo } from './demo/seed';
import { mintToken } from './dev-token';
import { createLogger } from './server/logger';
import { StartupError } from './startup-error';

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
  // Until the service is up and seeded, a signal just exits (the exit releases the data directory's lock).
  const early = { SIGINT: () => process.exit(130), SIGTERM: () => process.exit(143) };
  process.once('SIGINT', early.SIGINT).once('SIGTERM', early.SIGTERM);
  const service = await startService(config, log);
  const database = config.databaseUrl ? (config.databaseUrl === 'memory' ? 'in-memory PGlite' : 'PostgreSQL') : `embedded PGlite in ${config.dataDir}`;
  log.info({ port: service.port, database, ms: Date.now() - started }, 'workspace-api listening');

  if (config.seedDemo) {
    const demo = await seedDemo(service.services.db, log);
    const url = `http://localhost:${service.port}/graphql`;
    const lines = [`workspace-api is up on ${url} (${database})`];
    if (config.jwtSecret) {
      const issuedBy = { issuer: config.jwtIssuer, audience: config.jwtAudience };
      const token = await mintToken(config.jwtSecret, { sub: demo.admin.subject, email: demo.admin.email, name: demo.admin.name, ...issuedBy });
      lines.push(
        `Demo workspace "${demo.workspaceName}" (${demo.workspaceId}); ADMIN ${demo.admin.email}.`,
        config.jwtSecretGenerated
          ? 'The signing secret was generated for this run: the token works for 12 hours, or until the service restarts.'
          : `The token works for 12 hours (npm run cli -- token --email ${demo.admin.email} makes another).`,
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
    const timer = setTimeout(() => process.exit(1), config.shutdownDrainMs + 10_000);
    timer.unref();
    service.close().then(
      async () => {
        await tracing?.shutdown().catch(() => undefined); // the last spans
        log.info({ signal }, 'stopped');
        process.exit(0);
      },
      (error) => {
        log.error({ err: error }, 'unclean stop');
        process.exit(1);
      },
    );
  };
  process.off('SIGINT', early.SIGINT).off('SIGTERM', early.SIGTERM);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error) => {
  // An expected failure (port taken, database unreachable, data directory in use): one line.
  console.error(error instanceof StartupError ? `cannot start: ${error.message}` : error);
  process.exit(1);
});
