import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ConfigError, loadConfig } from '../../src/config';

describe('limits configuration', () => {
  it('has the documented defaults', () => {
    const { limits, database, trustProxy } = loadConfig({});
    expect(limits).toEqual({
      maxDepth: 10,
      maxCost: 30_000,
      maxAliases: 15,
      maxDirectives: 50,
      maxTokens: 1000,
      maxRequestBytes: 65_536,
      requestTimeoutMs: 30_000,
      maxResponseBytes: 4 * 1024 * 1024,
      rateLimitPoints: 100_000,
      rateLimitAnonymousPoints: 10_000,
      rateLimitWindowSeconds: 60,
      invitationsPerDay: 500,
      wsInitTimeoutMs: 3_000,
      wsMaxSubscriptions: 20,
      wsMaxConnectionsPerUser: 20,
      wsMaxBufferedBytes: 2 * 1024 * 1024,
    });
    expect(database).toEqual({ poolSize: 10, statementTimeoutMs: 15_000, connectTimeoutMs: 5_000, startupTimeoutMs: 30_000, queryTimeoutMs: 20_000, keepAliveMs: 10_000, preparedStatements: true });
    expect(loadConfig({}).jobFeedStallMs).toBe(10_000);
    expect(loadConfig({}).jobFeedPollMs).toBe(5_000);
    expect(loadConfig({ DB_STATEMENT_TIMEOUT_MS: '1000' }).database.queryTimeoutMs).toBe(6_000); // past the statement timeout
    expect(trustProxy).toBe(0);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      GRAPHQL_MAX_DEPTH: '7',
      GRAPHQL_MAX_COST: '900',
      GRAPHQL_MAX_ALIASES: '3',
      GRAPHQL_MAX_DIRECTIVES: '4',
      GRAPHQL_MAX_TOKENS: '500',
      MAX_REQUEST_BYTES: '2048',
      REQUEST_TIMEOUT_MS: '1234',
      MAX_RESPONSE_BYTES: '70000',
      RATE_LIMIT_POINTS: '0',
      RATE_LIMIT_ANONYMOUS_POINTS: '9',
      RATE_LIMIT_WINDOW_SECONDS: '10',
      INVITATIONS_PER_DAY: '7',
      WS_INIT_TIMEOUT_MS: '1000',
      WS_MAX_SUBSCRIPTIONS: '5',
      WS_MAX_CONNECTIONS_PER_USER: '6',
      WS_MAX_BUFFERED_BYTES: '100000',
      DB_POOL_SIZE: '4',
      DB_STATEMENT_TIMEOUT_MS: '2500',
      DB_CONNECT_TIMEOUT_MS: '700',
      DB_STARTUP_TIMEOUT_MS: '0',
      DB_QUERY_TIMEOUT_MS: '3000',
      DB_KEEPALIVE_MS: '2000',
      DB_PREPARED_STATEMENTS: 'false',
      FEED_STALL_MS: '1500',
      TRUST_PROXY: '1',
    });
    expect(config.limits).toEqual({
      maxDepth: 7,
      maxCost: 900,
      maxAliases: 3,
      maxDirectives: 4,
      maxTokens: 500,
      maxRequestBytes: 2048,
      requestTimeoutMs: 1234,
      maxResponseBytes: 70_000,
      rateLimitPoints: 0,
      rateLimitAnonymousPoints: 9,
      rateLimitWindowSeconds: 10,
      invitationsPerDay: 7,
      wsInitTimeoutMs: 1000,
      wsMaxSubscriptions: 5,
      wsMaxConnectionsPerUser: 6,
      wsMaxBufferedBytes: 100_000,
    });
    expect(config.database).toEqual({ poolSize: 4, statementTimeoutMs: 2500, connectTimeoutMs: 700, startupTimeoutMs: 0, queryTimeoutMs: 3000, keepAliveMs: 2000, preparedStatements: false });
    expect(config.jobFeedStallMs).toBe(1500);
    expect(config.trustProxy).toBe(1);
  });

  it('reads the rate limits\' old names (which counted operations) as points when the new ones are unset', () => {
    expect(loadConfig({ RATE_LIMIT_OPERATIONS: '0', RATE_LIMIT_ANONYMOUS_OPERATIONS: '50' }).limits).toMatchObject({ rateLimitPoints: 0, rateLimitAnonymousPoints: 50 });
    expect(loadConfig({ RATE_LIMIT_OPERATIONS: '0', RATE_LIMIT_POINTS: '70' }).limits.rateLimitPoints).toBe(70);
  });

  it.each([
    ['GRAPHQL_MAX_DEPTH', '1'],
    ['GRAPHQL_MAX_DEPTH', 'ten'],
    ['GRAPHQL_MAX_COST', '-5'],
    ['GRAPHQL_MAX_ALIASES', '1.5'],
    ['GRAPHQL_MAX_DIRECTIVES', 'x'],
    ['GRAPHQL_MAX_TOKENS', '10'],
    ['MAX_REQUEST_BYTES', '100'],
    ['REQUEST_TIMEOUT_MS', '0'],
    ['MAX_RESPONSE_BYTES', '1000'],
    ['RATE_LIMIT_POINTS', '-1'],
    ['RATE_LIMIT_ANONYMOUS_POINTS', 'lots'],
    ['RATE_LIMIT_OPERATIONS', '-1'],
    ['RATE_LIMIT_WINDOW_SECONDS', '0'],
    ['INVITATIONS_PER_DAY', '-1'],
    ['WS_INIT_TIMEOUT_MS', '5'],
    ['WS_MAX_SUBSCRIPTIONS', '0'],
    ['WS_MAX_CONNECTIONS_PER_USER', '0'],
    ['WS_MAX_BUFFERED_BYTES', '1'],
    ['DB_POOL_SIZE', '0'],
    ['DB_STATEMENT_TIMEOUT_MS', '1e9'],
    ['DB_CONNECT_TIMEOUT_MS', 'soon'],
    ['DB_STARTUP_TIMEOUT_MS', '-1'],
    ['DB_QUERY_TIMEOUT_MS', '0'],
    ['DB_KEEPALIVE_MS', 'often'],
    ['DB_PREPARED_STATEMENTS', 'yes'],
    ['FEED_STALL_MS', '50'],
    ['FEED_POLL_MS', '10'],
    ['TRUST_PROXY', 'yes'],
  ])('stops on %s=%p with a line naming it', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^${name} `));
  });

  // The process itself: one line naming the variable, exit code 2 (needs the build: npm run build).
  (existsSync('dist/src/main.js') ? it : it.skip)('the process stops with one line naming the variable', () => {
    const run = spawnSync(process.execPath, ['dist/src/main.js'], {
      env: { PATH: process.env.PATH, GRAPHQL_MAX_DEPTH: 'deep', DATABASE_URL: 'memory' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^configuration error: GRAPHQL_MAX_DEPTH /)]);
  });
});
