import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';

export const REOPEN_LINK_KEY = 'reopen-link';

/**
 * Signing keys the service makes for itself, once, in Postgres (service_keys): every API and worker instance,
 * before and after a restart, signs and checks with the same key. The first to ask creates it; a race between
 * two first askers keeps the one that landed.
 */
@Injectable()
export class ServiceKeys {
  private readonly cache = new Map<string, Promise<Buffer>>();

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  key(name: string): Promise<Buffer> {
    let key = this.cache.get(name);
    if (!key) {
      key = this.load(name);
      this.cache.set(name, key);
      // a failed read is not kept: the next call asks again
      key.catch(() => this.cache.delete(name));
    }
    return key;
  }

  private async load(name: string): Promise<Buffer> {
    await this.pool.query('INSERT INTO service_keys (name, key) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, randomBytes(32)]);
    const { rows } = await this.pool.query<{ key: Buffer }>('SELECT key FROM service_keys WHERE name = $1', [name]);
    return rows[0].key;
  }
}
