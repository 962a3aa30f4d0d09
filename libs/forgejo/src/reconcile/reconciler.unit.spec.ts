import { describe, expect, it } from '@jest/globals';
import type { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { loadConfig } from '../../../config/src/index.js';
import { TemporaryForgejoError } from '../client/forgejo-errors.js';
import type { ReconcilePass } from './reconcile-pass.js';
import { AFTER_LINK_DEBOUNCE_MS, Reconciler } from './reconciler.js';

interface Fakes {
  queries: string[];
  released: (boolean | undefined)[];
  runs: (Set<string> | undefined)[];
  logged: string[];
}

function reconciler({ connect, locked = true, run }: { connect?: (client: object) => Promise<unknown>; locked?: boolean; run?: () => Promise<unknown> } = {}) {
  const fakes: Fakes = { queries: [], released: [], runs: [], logged: [] };
  const client = {
    on: () => undefined,
    off: () => undefined,
    query: async (text: string) => {
      fakes.queries.push(text);
      return { rows: [{ locked }] };
    },
    release: (destroy?: boolean) => void fakes.released.push(destroy),
  };
  const pool = { connect: () => (connect ? connect(client) : Promise.resolve(client)) } as unknown as pg.Pool;
  const pass = {
    run: async (only?: Set<string>) => {
      fakes.runs.push(only);
      return (await run?.()) ?? [];
    },
  } as unknown as ReconcilePass;
  const log = (level: string) => (_obj: unknown, msg: string) => void fakes.logged.push(`${level}: ${msg}`);
  const logger = { setContext: () => undefined, info: log('info'), warn: log('warn'), error: log('error') } as unknown as PinoLogger;
  const config = loadConfig({ FORGEJO_URL: 'http://forgejo.test', FORGEJO_RECONCILE_INTERVAL_S: '300' });
  return { subject: new Reconciler(config, pool, pass, logger), fakes };
}

describe('Reconciler: one pass at a time, under the lock, surviving what fails', () => {
  it('runs the pass under the advisory lock and releases it', async () => {
    const { subject, fakes } = reconciler();
    expect(await subject.runOnce()).toEqual([]);
    expect(fakes.queries).toEqual(['SELECT pg_try_advisory_lock(hashtext($1)) AS locked', 'SELECT pg_advisory_unlock(hashtext($1))']);
    expect(fakes.released).toEqual([undefined]);
  });

  it('skips the pass when another instance holds the lock', async () => {
    const { subject, fakes } = reconciler({ locked: false });
    expect(await subject.runOnce()).toBeNull();
    expect(fakes.runs).toHaveLength(0);
  });

  it('a Forgejo that does not answer skips the pass with a warning; the lock is released', async () => {
    const { subject, fakes } = reconciler({ run: async () => Promise.reject(new TemporaryForgejoError('GET /issues: 503')) });
    expect(await subject.runOnce()).toBeNull();
    expect(fakes.logged).toEqual(['warn: Forgejo does not answer: reconcile pass skipped']);
    expect(fakes.queries).toContain('SELECT pg_advisory_unlock(hashtext($1))');
  });

  it('a database that is away skips the pass with an error logged; the next pass runs', async () => {
    let away = true;
    const { subject, fakes } = reconciler({ connect: (client) => (away ? Promise.reject(new Error('connect ECONNREFUSED')) : Promise.resolve(client)) });
    expect(await subject.runOnce()).toBeNull();
    expect(fakes.logged).toEqual(['error: reconcile pass failed; the next one tries again']);
    away = false;
    expect(await subject.runOnce()).toEqual([]);
    expect(fakes.runs).toHaveLength(1);
  });

  it('links close together make one pass, for their repositories', async () => {
    const { subject, fakes } = reconciler();
    subject.soon('acme/one');
    subject.soon('acme/two');
    const deadline = Date.now() + AFTER_LINK_DEBOUNCE_MS * 10;
    while (fakes.runs.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(fakes.runs).toEqual([new Set(['acme/one', 'acme/two'])]);
    await subject.beforeApplicationShutdown();
  });
});
