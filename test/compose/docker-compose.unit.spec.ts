import { beforeAll, describe, expect, it } from '@jest/globals';
import AjvModule from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

// `docker compose` is not installed on these machines, so docker-compose.yml is checked here instead:
// against the Compose Specification JSON schema, then for the stack the product needs, wired together.

// ajv ships CommonJS: imported from ESM the default export is `module.exports` (the class, which
// also carries itself as `.default`); the type declarations only describe `.default`.
type AjvClass = typeof AjvModule.default;
const Ajv: AjvClass =
  (AjvModule as unknown as { default?: AjvClass }).default ?? (AjvModule as unknown as AjvClass);

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
// shared/ is always the sibling of the repo root (in CI too, where the repo is cloned elsewhere).
const SHARED = resolve(REPO_ROOT, '..', 'shared');
const COMPOSE_FILE = resolve(REPO_ROOT, 'docker-compose.yml');
const SCHEMA_FILE = resolve(SHARED, 'compose-spec', 'compose-spec.json');

const REQUIRED_SERVICES = ['api', 'worker', 'eventstore', 'postgres', 'redis', 'mailpit', 'forgejo'];
const APP_SERVICES = ['api', 'worker'];

type Doc = Record<string, any>;

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

/** A service's environment as a map, whichever of the two Compose forms (map or KEY=VALUE list) it uses. */
function environmentOf(service: Doc): Record<string, string> {
  const env = service.environment;
  if (env === undefined || env === null) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry: string) => {
        const at = entry.indexOf('=');
        return at === -1 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** depends_on as a map name → condition, whichever of the two Compose forms it uses. */
function dependenciesOf(service: Doc): Record<string, string> {
  const deps = service.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((name: string) => [name, 'service_started']));
  return Object.fromEntries(Object.entries(deps).map(([name, d]) => [name, (d as Doc).condition]));
}

/** A command (string or list) as its words. */
function wordsOf(command: unknown): string[] {
  if (Array.isArray(command)) return command.map(String);
  if (typeof command === 'string') return command.trim().split(/\s+/);
  return [];
}

/** What Compose would substitute when the variable is unset: `${X:-d}` and `${X-d}` → d, `${X}` → ''. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Za-z_][A-Za-z0-9_]*(?::?-([^}]*))?\}/g, (_m, fallback: string | undefined) => fallback ?? '');
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

describe('docker-compose.yml', () => {
  let doc: Doc;
  let services: Record<string, Doc>;
  let validate: ValidateFunction;

  beforeAll(() => {
    doc = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as Doc;
    services = (doc?.services ?? {}) as Record<string, Doc>;
    const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    // The schema names the draft-07 meta-schema by a URL ajv does not hold: skip meta-validation.
    const ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false });
    validate = ajv.compile(schema);
  });

  describe('Compose Specification schema', () => {
    it('the file is valid', () => {
      const valid = validate(doc);
      if (!valid) throw new Error(`docker-compose.yml does not match the Compose schema:\n${formatErrors(validate.errors)}`);
      expect(valid).toBe(true);
    });

    it('the validator really rejects invalid documents (so the check above is not vacuous)', () => {
      const wrongPorts = clone(doc);
      wrongPorts.services.api.ports = { '3000': 3000 };
      expect(validate(wrongPorts)).toBe(false);

      const unknownTopLevel = clone(doc);
      unknownTopLevel.servicez = {};
      expect(validate(unknownTopLevel)).toBe(false);

      const badCondition = clone(doc);
      badCondition.services.worker.depends_on = { postgres: { condition: 'when_it_feels_like_it' } };
      expect(validate(badCondition)).toBe(false);

      const badHealthcheck = clone(doc);
      badHealthcheck.services.postgres.healthcheck = { test: ['CMD-SHELL', 'true'], every: '5s' };
      expect(validate(badHealthcheck)).toBe(false);
    });
  });

  describe('services', () => {
    it.each(REQUIRED_SERVICES)('%s is defined', (name) => {
      expect(services[name]).toBeDefined();
      expect(services[name].image ?? services[name].build).toBeDefined();
    });

    it('api and worker run the service image: the api entry point serves :3000, the worker its own entry point', () => {
      expect(services.api.build).toBeDefined();
      expect(wordsOf(services.api.command)).toEqual(['node', 'dist/apps/api/src/main.js']);
      expect(services.api.ports.map(String)).toContain('3000:3000');
      expect(wordsOf(services.worker.command)).toEqual(['node', 'dist/apps/worker/src/main.js']);
      // Same image: either both build the repo, or the worker reuses the api's tagged build.
      if (services.worker.build === undefined) {
        expect(services.worker.image).toBeDefined();
        expect(services.worker.image).toBe(services.api.image);
      }
    });

    it('api has a healthcheck that calls GET /health', () => {
      const test = wordsOf(services.api.healthcheck?.test).join(' ');
      expect(test).toMatch(/\/health\b/);
    });

    it('eventstore is a single insecure EventStoreDB node', () => {
      expect(services.eventstore.image).toMatch(/^eventstore\/eventstore:/);
      const env = environmentOf(services.eventstore);
      expect(env.EVENTSTORE_INSECURE).toBe('true');
      if (env.EVENTSTORE_CLUSTER_SIZE !== undefined) expect(env.EVENTSTORE_CLUSTER_SIZE).toBe('1');
    });

    it('postgres, redis, mailpit and forgejo use the expected images', () => {
      expect(services.postgres.image).toMatch(/^postgres:/);
      expect(services.redis.image).toMatch(/^redis:/);
      expect(services.mailpit.image).toMatch(/^axllent\/mailpit(:|$)/);
      expect(services.forgejo.image).toMatch(/^codeberg\.org\/forgejo\/forgejo:/);
    });

    it('postgres has a pg_isready healthcheck', () => {
      expect(wordsOf(services.postgres.healthcheck?.test).join(' ')).toContain('pg_isready');
    });

    it('redis runs with appendonly yes and maxmemory-policy noeviction', () => {
      const words = wordsOf(services.redis.command);
      expect(words[0]).toBe('redis-server');
      const option = (name: string) => {
        const at = words.indexOf(`--${name}`);
        return at === -1 ? undefined : words[at + 1];
      };
      expect(option('appendonly')).toBe('yes');
      expect(option('maxmemory-policy')).toBe('noeviction');
    });

    it('data services keep their data in named volumes', () => {
      const named = Object.keys(doc.volumes ?? {});
      for (const name of ['eventstore', 'postgres', 'redis', 'forgejo']) {
        const sources = (services[name].volumes ?? []).map((v: string | Doc) =>
          typeof v === 'string' ? v.split(':')[0] : v.source,
        );
        expect(sources.some((source: string) => named.includes(source))).toBe(true);
      }
    });
  });

  describe('api and worker wiring', () => {
    const wiring: Array<[variable: string, service: string, port: string, protocols: string[]]> = [
      ['DATABASE_URL', 'postgres', '5432', ['postgres:', 'postgresql:']],
      ['EVENTSTORE_URL', 'eventstore', '2113', ['esdb:']],
      ['REDIS_URL', 'redis', '6379', ['redis:']],
      ['SMTP_URL', 'mailpit', '1025', ['smtp:']],
      ['FORGEJO_URL', 'forgejo', '3000', ['http:']],
    ];

    for (const app of APP_SERVICES) {
      it.each(wiring)(`${app}: %s points at the %s service (port %s)`, (variable, service, port, protocols) => {
        const value = environmentOf(services[app])[variable];
        expect(value).toBeDefined();
        const url = new URL(withDefaults(value));
        expect(protocols).toContain(url.protocol);
        expect(url.hostname).toBe(service);
        expect(url.port || defaultPort(url.protocol)).toBe(port);
        expect(services[service]).toBeDefined();
      });

      it(`${app}: EventStoreDB is reached without TLS (the node is insecure)`, () => {
        const url = new URL(withDefaults(environmentOf(services[app]).EVENTSTORE_URL));
        expect(url.searchParams.get('tls')).toBe('false');
      });

      it(`${app}: depends on postgres, redis and eventstore`, () => {
        const deps = dependenciesOf(services[app]);
        for (const name of ['postgres', 'redis', 'eventstore']) expect(Object.keys(deps)).toContain(name);
      });
    }

    it('api and worker share the same environment', () => {
      expect(environmentOf(services.worker)).toEqual(environmentOf(services.api));
    });

    it('every service_healthy dependency has a healthcheck', () => {
      for (const [name, service] of Object.entries(services)) {
        for (const [dep, condition] of Object.entries(dependenciesOf(service))) {
          expect(services[dep]).toBeDefined();
          if (condition === 'service_healthy') {
            expect({ [`${name} → ${dep}`]: services[dep].healthcheck?.test !== undefined }).toEqual({
              [`${name} → ${dep}`]: true,
            });
          }
        }
      }
    });
  });

  describe('secrets', () => {
    const INTERPOLATED_WITHOUT_VALUE = /^\$\{[A-Za-z_][A-Za-z0-9_]*(:?-)?\}$/;

    it.each(['FORGEJO_API_TOKEN', 'ADMIN_PASSWORD'])('%s comes from the environment, never a literal', (variable) => {
      for (const app of APP_SERVICES) {
        const value = environmentOf(services[app])[variable];
        expect(value).toBeDefined();
        expect(value).toMatch(INTERPOLATED_WITHOUT_VALUE);
        expect(value).toContain(variable);
      }
    });

    it('no service hard-codes a password, token or secret', () => {
      const offenders: string[] = [];
      for (const [name, service] of Object.entries(services)) {
        for (const [variable, value] of Object.entries(environmentOf(service))) {
          if (!/PASSWORD|TOKEN|SECRET|API_KEY|PRIVATE_KEY/i.test(variable)) continue;
          if (value === '' || INTERPOLATED_WITHOUT_VALUE.test(value)) continue;
          offenders.push(`${name}.${variable}`);
        }
        // No credentials embedded in a URL either (user:password@host).
        for (const [variable, value] of Object.entries(environmentOf(service))) {
          try {
            if (new URL(withDefaults(value)).password !== '') offenders.push(`${name}.${variable} (URL password)`);
          } catch {
            // not a URL
          }
        }
      }
      expect(offenders).toEqual([]);
    });
  });
});

function defaultPort(protocol: string): string {
  return { 'http:': '80', 'https:': '443', 'smtp:': '25', 'redis:': '6379', 'postgresql:': '5432', 'postgres:': '5432' }[
    protocol
  ] ?? '';
}
