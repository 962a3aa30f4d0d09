import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';

/**
 * Whether an earlier attempt may have reached Forgejo, kept in Postgres (forgejo_attempts), not in Redis: a
 * worker killed mid-call plus a lost Redis must still look for the marked issue before creating another.
 */
@Injectable()
export class ForgejoAttempts {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  /** Marks that a call for `key` ('issue:{ticketId}', 'comment:{commentId}') starts; true when one started before. */
  async begin(key: string): Promise<boolean> {
    const { rowCount } = await this.pool.query({
      name: 'forgejo_attempt_begin',
      text: 'INSERT INTO forgejo_attempts (key) VALUES ($1) ON CONFLICT (key) DO NOTHING',
      values: [key],
    });
    return rowCount === 0;
  }
}
