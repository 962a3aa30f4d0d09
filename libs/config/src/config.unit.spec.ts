import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('gives product.md defaults with no variable set', () => {
    expect(loadConfig({})).toEqual({
      port: 3000,
      baseUrl: 'http://localhost:3000',
      databaseUrl: 'postgresql://postgres@127.0.0.1:5432/tickets',
      eventStoreUrl: null,
      redisUrl: 'redis://127.0.0.1:6379',
      forgejoUrl: null,
      forgejoApiToken: null,
      forgejoTimeoutMs: 30000,
      forgejoRetryBaseMs: 1000,
      forgejoRetryMaxMs: 600000,
      forgejoRetryForS: 86400,
      forgejoProbeIntervalMs: 5000,
      forgejoReconcileIntervalS: 300,
      smtpUrl: null,
      mailFrom: 'tickets@localhost',
      adminEmail: null,
      adminPassword: null,
      authRateLimit: 20,
      webhookRateLimit: 1200,
      logLevel: 'info',
    });
  });

  it('derives BASE_URL from PORT and reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      EVENTSTORE_URL: 'esdb://eventstore:2113?tls=false',
      FORGEJO_URL: 'https://forgejo.example.com/',
      FORGEJO_API_TOKEN: 'tok',
      SMTP_URL: 'smtp://127.0.0.1:1025',
      ADMIN_EMAIL: 'admin@example.com',
      ADMIN_PASSWORD: 'correct horse',
      LOG_LEVEL: 'debug',
      FORGEJO_RETRY_BASE_MS: '50',
      FORGEJO_RETRY_MAX_MS: '400',
      FORGEJO_RETRY_FOR_S: '3600',
      FORGEJO_PROBE_INTERVAL_MS: '100',
      FORGEJO_RECONCILE_INTERVAL_S: '0',
    });
    expect(config).toMatchObject({ forgejoRetryBaseMs: 50, forgejoRetryMaxMs: 400, forgejoRetryForS: 3600, forgejoProbeIntervalMs: 100, forgejoReconcileIntervalS: 0 });
    expect(config.baseUrl).toBe('http://localhost:8080');
    expect(config.forgejoUrl).toBe('https://forgejo.example.com');
    expect(config.eventStoreUrl).toBe('esdb://eventstore:2113?tls=false');
    expect(config.logLevel).toBe('debug');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['BASE_URL', 'not a url'],
    ['BASE_URL', 'ftp://example.com'],
    ['DATABASE_URL', 'mysql://localhost/x'],
    ['DATABASE_URL', '::nope'],
    ['EVENTSTORE_URL', 'http://localhost:2113'],
    ['REDIS_URL', 'localhost:6379'],
    ['FORGEJO_URL', 'forgejo.example.com'],
    ['FORGEJO_TIMEOUT_MS', '30s'],
    ['FORGEJO_TIMEOUT_MS', '0'],
    ['FORGEJO_RETRY_BASE_MS', '1.5'],
    ['FORGEJO_RETRY_BASE_MS', '0'],
    ['FORGEJO_RETRY_MAX_MS', '10m'],
    ['FORGEJO_RETRY_MAX_MS', '999'],
    ['FORGEJO_RETRY_MAX_MS', '600001'],
    ['FORGEJO_RETRY_MAX_MS', '780000'],
    ['FORGEJO_RETRY_BASE_MS', '600001'],
    ['FORGEJO_RETRY_FOR_S', '0'],
    ['FORGEJO_RETRY_FOR_S', '-5'],
    ['FORGEJO_PROBE_INTERVAL_MS', '5'],
    ['FORGEJO_PROBE_INTERVAL_MS', 'often'],
    ['FORGEJO_RECONCILE_INTERVAL_S', '5m'],
    ['FORGEJO_RECONCILE_INTERVAL_S', '-1'],
    ['FORGEJO_RECONCILE_INTERVAL_S', '999999999'],
    ['SMTP_URL', 'mail.example.com:25'],
    ['MAIL_FROM', 'not-an-address'],
    ['ADMIN_EMAIL', 'admin'],
    ['ADMIN_PASSWORD', 'short'],
    ['AUTH_RATE_LIMIT', '-1'],
    ['WEBHOOK_RATE_LIMIT', 'lots'],
    ['LOG_LEVEL', 'verbose'],
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as ConfigError).message).toMatch(new RegExp(`^Invalid configuration: ${variable} `));
    expect((error as ConfigError).message).not.toContain('\n');
  });

  it('takes FORGEJO_RETRY_MAX_MS up to 10 minutes and refuses more in one line naming it and the limit', () => {
    expect(loadConfig({ FORGEJO_RETRY_MAX_MS: '600000' }).forgejoRetryMaxMs).toBe(600_000);
    expect(() => loadConfig({ FORGEJO_RETRY_MAX_MS: '900000' })).toThrow(
      new ConfigError('FORGEJO_RETRY_MAX_MS', 'must be a whole number from 1 to 600000 (got "900000")'),
    );
  });

  it('never echoes a bad password back', () => {
    expect(() => loadConfig({ ADMIN_PASSWORD: 'hunter2' })).toThrow(/ADMIN_PASSWORD/);
    expect(() => loadConfig({ ADMIN_PASSWORD: 'hunter2' })).not.toThrow(/hunter2/);
  });
});
