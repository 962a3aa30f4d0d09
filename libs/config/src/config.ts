export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Config {
  port: number;
  baseUrl: string;
  databaseUrl: string;
  eventStoreUrl: string | null;
  redisUrl: string;
  forgejoUrl: string | null;
  forgejoApiToken: string | null;
  forgejoTimeoutMs: number;
  /** first retry delay of a Forgejo job; each next one doubles, up to forgejoRetryMaxMs */
  forgejoRetryBaseMs: number;
  /** the longest wait between two attempts of a Forgejo job, jitter and Retry-After included: at most 10 minutes */
  forgejoRetryMaxMs: number;
  /** temporary failures are retried for at least this long from the job's creation, then recorded */
  forgejoRetryForS: number;
  /** how often a down Forgejo is asked GET /api/v1/version */
  forgejoProbeIntervalMs: number;
  /** how often reconcile reads back from Forgejo what changed since its last look; 0: never */
  forgejoReconcileIntervalS: number;
  smtpUrl: string | null;
  mailFrom: string;
  adminEmail: string | null;
  adminPassword: string | null;
  authRateLimit: number;
  webhookRateLimit: number;
  logLevel: LogLevel;
}

/** A bad environment variable: the message is the one line printed before the process exits. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

function raw(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const value = raw(env, name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(name, `must be a URL (${protocols.join(' or ')})`);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(name, `must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}`);
  }
  return value;
}

function email(env: Env, name: string): string | undefined {
  const value = raw(env, name);
  if (value === undefined) return undefined;
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(value)) throw new ConfigError(name, 'must be an email address');
  return value;
}

const LOG_LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];
const TEN_MINUTES_MS = 600_000;

/** Reads and validates every variable of the product contract once; throws ConfigError on the first bad one. */
export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 3000, 0, 65535);
  const logLevel = (raw(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')} (got "${raw(env, 'LOG_LEVEL')}")`);
  }
  const adminEmail = email(env, 'ADMIN_EMAIL') ?? null;
  const adminPassword = raw(env, 'ADMIN_PASSWORD') ?? null;
  if (adminPassword !== null && (adminPassword.length < 8 || adminPassword.length > 200)) {
    throw new ConfigError('ADMIN_PASSWORD', 'must be 8 to 200 characters long');
  }
  // the product promises retries at most 10 minutes apart: no setting may stretch that
  const forgejoRetryBaseMs = integer(env, 'FORGEJO_RETRY_BASE_MS', 1000, 1, TEN_MINUTES_MS);
  const forgejoRetryMaxMs = integer(env, 'FORGEJO_RETRY_MAX_MS', TEN_MINUTES_MS, 1, TEN_MINUTES_MS);
  if (forgejoRetryMaxMs < forgejoRetryBaseMs) {
    throw new ConfigError('FORGEJO_RETRY_MAX_MS', `must be at least FORGEJO_RETRY_BASE_MS (${forgejoRetryBaseMs})`);
  }
  return {
    port,
    baseUrl: (url(env, 'BASE_URL', ['http', 'https']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    databaseUrl:
      url(env, 'DATABASE_URL', ['postgres', 'postgresql']) ?? 'postgresql://postgres@127.0.0.1:5432/tickets',
    eventStoreUrl: url(env, 'EVENTSTORE_URL', ['esdb', 'esdb+discover']) ?? null,
    redisUrl: url(env, 'REDIS_URL', ['redis', 'rediss']) ?? 'redis://127.0.0.1:6379',
    forgejoUrl: url(env, 'FORGEJO_URL', ['http', 'https'])?.replace(/\/+$/, '') ?? null,
    forgejoApiToken: raw(env, 'FORGEJO_API_TOKEN') ?? null,
    forgejoTimeoutMs: integer(env, 'FORGEJO_TIMEOUT_MS', 30000, 1, 600000),
    forgejoRetryBaseMs,
    forgejoRetryMaxMs,
    forgejoRetryForS: integer(env, 'FORGEJO_RETRY_FOR_S', 86_400, 1, 31_536_000),
    forgejoProbeIntervalMs: integer(env, 'FORGEJO_PROBE_INTERVAL_MS', 5000, 10, 3_600_000),
    forgejoReconcileIntervalS: integer(env, 'FORGEJO_RECONCILE_INTERVAL_S', 300, 0, 604_800),
    smtpUrl: url(env, 'SMTP_URL', ['smtp', 'smtps']) ?? null,
    mailFrom: email(env, 'MAIL_FROM') ?? 'tickets@localhost',
    adminEmail,
    adminPassword,
    authRateLimit: integer(env, 'AUTH_RATE_LIMIT', 20, 1, 1000000),
    webhookRateLimit: integer(env, 'WEBHOOK_RATE_LIMIT', 1200, 1, 1000000),
    logLevel: logLevel as LogLevel,
  };
}

/** For entry points: the config, or one line on stderr and exit code 1. */
export function loadConfigOrExit(env: Env = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** Where Nest keeps the validated configuration: `@Inject(CONFIG)`. */
export const CONFIG = Symbol('CONFIG');
