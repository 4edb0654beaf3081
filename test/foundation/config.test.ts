import { ConfigError, loadConfig } from '../../src/config';

describe('configuration', () => {
  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ AUTH_JWT_SECRET: 'short' }, 'AUTH_JWT_SECRET'],
    [{ AUTH_JWKS_URL: 'ftp://keys' }, 'AUTH_JWKS_URL'],
    [{ APP_SIGN_IN_URL: 'javascript:alert(1)' }, 'APP_SIGN_IN_URL'],
    [{ APP_SIGN_IN_URL: '/login' }, 'APP_SIGN_IN_URL'],
    [{ NODE_ENV: 'production' }, 'AUTH_JWT_SECRET'],
  ])('stops on %p with a line naming %s', (env, name) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('takes the defaults', () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwtSecretGenerated).toBe(true);
    expect(config.jwtSecret!.length).toBeGreaterThanOrEqual(32);
    expect(config.appSignInUrl).toBeUndefined();
  });

  it('reads the app sign-in URL that invitation links lead to', () => {
    expect(loadConfig({ APP_SIGN_IN_URL: 'https://app.example/login?next=1' }).appSignInUrl).toBe('https://app.example/login?next=1');
  });

  it('reads memory and a postgres URL', () => {
    expect(loadConfig({ DATABASE_URL: 'memory' }).databaseUrl).toBe('memory');
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).databaseUrl).toBe('postgres://u@h/db');
  });

  it('accepts a JWKS URL in production instead of a secret', () => {
    const config = loadConfig({ NODE_ENV: 'production', AUTH_JWKS_URL: 'https://idp.example/jwks.json' });
    expect(config.jwtSecret).toBeUndefined();
    expect(config.seedDemo).toBe(false);
  });
});
