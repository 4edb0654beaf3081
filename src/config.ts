import { randomBytes } from 'node:crypto';

/** Every environment variable the service reads, parsed and checked once at start. */
export interface Config {
  port: number;
  /** undefined = embedded PGlite in dataDir; 'memory' = in-memory PGlite; else a postgres:// URL. */
  databaseUrl: string | undefined;
  dataDir: string;
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  jwtSecret: string | undefined;
  jwksUrl: string | undefined;
  /** True when the secret was generated at start (development only). */
  jwtSecretGenerated: boolean;
  smtpUrl: string | undefined;
  redisUrl: string | undefined;
  /** How long job events are kept for resuming feeds. */
  jobEventRetentionMs: number;
  /** Base URL used in invitation links. */
  publicUrl: string;
  seedDemo: boolean;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function intVar(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
  }
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')} (got "${raw}")`);
  }
  return raw as T;
}

function urlVar(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')} (got ${url.protocol})`);
  }
  return raw;
}

export function loadConfig(env: Env = process.env): Config {
  const nodeEnv = oneOf(env, 'NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = intVar(env, 'PORT', 4000, 0, 65535);
  const databaseUrl =
    env.DATABASE_URL === 'memory' ? 'memory' : urlVar(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const jwksUrl = urlVar(env, 'AUTH_JWKS_URL', ['http:', 'https:']);
  let jwtSecret = env.AUTH_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && jwtSecret.length < 32) {
    throw new ConfigError('AUTH_JWT_SECRET must be at least 32 characters');
  }
  let jwtSecretGenerated = false;
  if (!jwtSecret && !jwksUrl) {
    if (nodeEnv === 'production') {
      throw new ConfigError('AUTH_JWT_SECRET or AUTH_JWKS_URL is required when NODE_ENV=production');
    }
    jwtSecret = randomBytes(32).toString('base64url');
    jwtSecretGenerated = true;
  }
  const retentionHours = intVar(env, 'JOB_EVENT_RETENTION_HOURS', 24 * 7, 1, 24 * 365);
  return {
    port,
    databaseUrl,
    dataDir: env.DATA_DIR || './data',
    nodeEnv,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    jwtSecret,
    jwksUrl,
    jwtSecretGenerated,
    smtpUrl: urlVar(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    redisUrl: urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']),
    jobEventRetentionMs: retentionHours * 3600_000,
    publicUrl: urlVar(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    seedDemo: oneOf(env, 'SEED_DEMO', ['true', 'false'] as const, nodeEnv === 'production' ? 'false' : 'true') === 'true',
  };
}
