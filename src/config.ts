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
  /** When set, a JWT's `iss` and `aud` must be these. */
  jwtIssuer: string | undefined;
  jwtAudience: string | undefined;
  /** True when the secret was generated at start (development only). */
  jwtSecretGenerated: boolean;
  smtpUrl: string | undefined;
  /** The From address of the mail the service sends (invitations). */
  mailFrom: string;
  redisUrl: string | undefined;
  /** How long job events are kept for resuming feeds. */
  jobEventRetentionMs: number;
  /** A job feed read, or the LISTEN connection's check, not answered by then is given up: reconnect and catch up. */
  jobFeedStallMs: number;
  /** How often the job feed reads the log and its subscribers' access unprompted (the NOTIFY wakes it otherwise). */
  jobFeedPollMs: number;
  /** How often each instance looks for PROCESSING jobs whose worker fell silent past their heartbeat. */
  heartbeatSweepMs: number;
  /** Base URL used in invitation links. */
  publicUrl: string;
  /** The app's sign-in page: invitation links go there (with ?workspaceId=) instead of the service's own page. */
  appSignInUrl: string | undefined;
  /** When set, GET /metrics needs `Authorization: Bearer <it>`. */
  metricsToken: string | undefined;
  /** On SIGTERM, how long /readyz says 503 while requests are still served, so a balancer takes the instance out first. */
  shutdownDrainMs: number;
  seedDemo: boolean;
  /** Protective limits of the GraphQL server (HTTP and WebSocket alike). */
  limits: Limits;
  /** PostgreSQL pool and timeouts (PGlite ignores them: it is one embedded session). */
  database: DatabaseLimits;
  /** How many proxies in front of the service to trust for the client's IP (X-Forwarded-For); 0 = none. */
  trustProxy: number;
  /** When queries are compiled (graphql-jit) instead of interpreted by graphql-js. */
  execution: { compileAfter: number; maxCompiled: number };
  webhooks: WebhookConfig;
}

/** How webhooks are sent (docs/webhooks.md). */
export interface WebhookConfig {
  /** http URLs and private, loopback and link-local addresses allowed (development and tests only). */
  allowPrivate: boolean;
  /** One attempt's bound, from connecting to the end of the answer. */
  timeoutMs: number;
  /** The first retry comes within this; each next one's bound doubles, up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery still failing this long after its event is given up (FAILED), and the next one goes. */
  giveUpAfterMs: number;
  /** How often the sender looks at the log and the due deliveries without being woken. */
  pollMs: number;
}

export interface Limits {
  /** Deepest field nesting of an operation. */
  maxDepth: number;
  /** Highest estimated cost of an operation; a list field costs its `first` (or 10) times its items. */
  maxCost: number;
  maxAliases: number;
  maxDirectives: number;
  /** Lexical tokens of a document (the parser stops there). */
  maxTokens: number;
  /** Largest HTTP request body and WebSocket message, in bytes. */
  maxRequestBytes: number;
  /** A request that has not answered after this long is cut with an error, and its work stopped. */
  requestTimeoutMs: number;
  /** An answer (a WebSocket event) past this many bytes of JSON stops its operation's work. */
  maxResponseBytes: number;
  /** Points per user (anonymous: per IP) in each window, an operation costing its estimate; 0 = no rate limit. */
  rateLimitPoints: number;
  rateLimitAnonymousPoints: number;
  rateLimitWindowSeconds: number;
  /** Invitations a workspace may send in any 24 hours; 0 = no cap. */
  invitationsPerDay: number;
  /** WebSocket: time to send connection_init, operations running at once per connection, open connections per user (across instances with Redis). */
  wsInitTimeoutMs: number;
  wsMaxSubscriptions: number;
  wsMaxConnectionsPerUser: number;
  /** WebSocket: a consumer whose unsent data passes this many bytes is dropped. */
  wsMaxBufferedBytes: number;
}

export interface DatabaseLimits {
  poolSize: number;
  statementTimeoutMs: number;
  connectTimeoutMs: number;
  /** How long start-up retries an unreachable database before giving up (0: one attempt). */
  startupTimeoutMs: number;
  /** The client's own bound on a query: the connection is dropped (the server may never answer). */
  queryTimeoutMs: number;
  /** Silence before TCP keepalive probes a connection (the LISTEN connection gets a round trip too). */
  keepAliveMs: number;
  /** Parameterised statements go as named (prepared) ones; off behind a pooler in transaction mode. */
  preparedStatements: boolean;
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

/** A rate limit in points; the variable's old name (which counted operations) is read when the new one is unset. */
function pointsVar(env: Env, name: string, oldName: string, fallback: number): number {
  const set = (n: string) => env[n] !== undefined && env[n] !== '';
  return intVar(env, set(name) || !set(oldName) ? name : oldName, fallback, 0, 1_000_000_000);
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

/** MAIL_FROM, or `workspace-api <no-reply@localhost>`; one line, no header injection. */
function mailFromVar(env: Env): string {
  const raw = env.MAIL_FROM?.trim();
  if (!raw) return 'workspace-api <no-reply@localhost>';
  if (raw.length > 200 || /[\r\n]/.test(raw) || !raw.includes('@')) throw new ConfigError('MAIL_FROM must be one email address (optionally "Name <address>")');
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
  const statementTimeoutMs = intVar(env, 'DB_STATEMENT_TIMEOUT_MS', 15_000, 100, 3_600_000);
  return {
    port,
    databaseUrl,
    dataDir: env.DATA_DIR || './data',
    nodeEnv,
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    jwtSecret,
    jwksUrl,
    jwtIssuer: env.AUTH_JWT_ISSUER?.trim() || undefined,
    jwtAudience: env.AUTH_JWT_AUDIENCE?.trim() || undefined,
    jwtSecretGenerated,
    smtpUrl: urlVar(env, 'SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: mailFromVar(env),
    redisUrl: urlVar(env, 'REDIS_URL', ['redis:', 'rediss:']),
    jobEventRetentionMs: retentionHours * 3600_000,
    jobFeedStallMs: intVar(env, 'FEED_STALL_MS', 10_000, 100, 600_000),
    jobFeedPollMs: intVar(env, 'FEED_POLL_MS', 5_000, 50, 600_000),
    heartbeatSweepMs: intVar(env, 'HEARTBEAT_SWEEP_MS', 5_000, 50, 3_600_000),
    publicUrl: urlVar(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`,
    appSignInUrl: urlVar(env, 'APP_SIGN_IN_URL', ['http:', 'https:']),
    metricsToken: env.METRICS_TOKEN?.trim() || undefined,
    // A balancer needs a few health checks to take an instance out; by hand (Ctrl-C) nobody waits.
    shutdownDrainMs: intVar(env, 'SHUTDOWN_DRAIN_MS', nodeEnv === 'production' ? 5_000 : 0, 0, 300_000),
    seedDemo: oneOf(env, 'SEED_DEMO', ['true', 'false'] as const, nodeEnv === 'production' ? 'false' : 'true') === 'true',
    limits: loadLimits(env),
    database: {
      poolSize: intVar(env, 'DB_POOL_SIZE', 10, 1, 1000),
      statementTimeoutMs,
      connectTimeoutMs: intVar(env, 'DB_CONNECT_TIMEOUT_MS', 5_000, 100, 600_000),
      startupTimeoutMs: intVar(env, 'DB_STARTUP_TIMEOUT_MS', 30_000, 0, 3_600_000),
      // Past the statement timeout by default: a server that hears us cancels first, cleanly.
      queryTimeoutMs: intVar(env, 'DB_QUERY_TIMEOUT_MS', statementTimeoutMs + 5_000, 100, 3_600_000),
      keepAliveMs: intVar(env, 'DB_KEEPALIVE_MS', 10_000, 100, 3_600_000),
      preparedStatements: oneOf(env, 'DB_PREPARED_STATEMENTS', ['true', 'false'] as const, 'true') === 'true',
    },
    trustProxy: intVar(env, 'TRUST_PROXY', 0, 0, 10),
    execution: {
      compileAfter: intVar(env, 'GRAPHQL_COMPILE_AFTER', 1, 0, 1_000_000),
      maxCompiled: intVar(env, 'GRAPHQL_COMPILED_MAX', 500, 1, 100_000),
    },
    webhooks: {
      allowPrivate: oneOf(env, 'WEBHOOK_ALLOW_PRIVATE', ['true', 'false'] as const, 'false') === 'true',
      timeoutMs: intVar(env, 'WEBHOOK_TIMEOUT_MS', 10_000, 100, 120_000),
      retryBaseMs: intVar(env, 'WEBHOOK_RETRY_BASE_MS', 5_000, 10, 3_600_000),
      retryMaxMs: intVar(env, 'WEBHOOK_RETRY_MAX_MS', 3_600_000, 10, 86_400_000),
      giveUpAfterMs: intVar(env, 'WEBHOOK_GIVE_UP_AFTER_MS', 86_400_000, 1_000, 30 * 86_400_000),
      pollMs: intVar(env, 'WEBHOOK_POLL_MS', 5_000, 50, 600_000),
    },
  };
}

function loadLimits(env: Env): Limits {
  return {
    maxDepth: intVar(env, 'GRAPHQL_MAX_DEPTH', 10, 2, 100),
    maxCost: intVar(env, 'GRAPHQL_MAX_COST', 30_000, 10, 100_000_000),
    maxAliases: intVar(env, 'GRAPHQL_MAX_ALIASES', 15, 0, 1000),
    maxDirectives: intVar(env, 'GRAPHQL_MAX_DIRECTIVES', 50, 0, 1000),
    maxTokens: intVar(env, 'GRAPHQL_MAX_TOKENS', 1000, 50, 100_000),
    maxRequestBytes: intVar(env, 'MAX_REQUEST_BYTES', 64 * 1024, 1024, 16 * 1024 * 1024),
    requestTimeoutMs: intVar(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 600_000),
    maxResponseBytes: intVar(env, 'MAX_RESPONSE_BYTES', 4 * 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
    rateLimitPoints: pointsVar(env, 'RATE_LIMIT_POINTS', 'RATE_LIMIT_OPERATIONS', 100_000),
    rateLimitAnonymousPoints: pointsVar(env, 'RATE_LIMIT_ANONYMOUS_POINTS', 'RATE_LIMIT_ANONYMOUS_OPERATIONS', 10_000),
    rateLimitWindowSeconds: intVar(env, 'RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86_400),
    invitationsPerDay: intVar(env, 'INVITATIONS_PER_DAY', 500, 0, 1_000_000),
    wsInitTimeoutMs: intVar(env, 'WS_INIT_TIMEOUT_MS', 3_000, 100, 60_000),
    wsMaxSubscriptions: intVar(env, 'WS_MAX_SUBSCRIPTIONS', 20, 1, 10_000),
    wsMaxConnectionsPerUser: intVar(env, 'WS_MAX_CONNECTIONS_PER_USER', 20, 1, 10_000),
    wsMaxBufferedBytes: intVar(env, 'WS_MAX_BUFFERED_BYTES', 2 * 1024 * 1024, 16 * 1024, 1024 * 1024 * 1024),
  };
}
