import type pg from 'pg';
import type { LinkedRepository } from '../../../read-models/src/index.js';

/** Reconcile's last complete look per Forgejo repository (migration 0012), by its lower-cased key. */
export class ReconcileProgress {
  constructor(private readonly db: pg.Pool | pg.ClientBase) {}

  async sinceOf(keys: string[]): Promise<Map<string, Date>> {
    const { rows } = await this.db.query<{ key: string; since: Date }>('SELECT key, since FROM forgejo_reconcile_progress WHERE key = ANY($1::text[])', [keys]);
    return new Map(rows.map((row) => [row.key, row.since]));
  }

  /** Never moves a repository's look back (a slow pass finishing after a newer one). */
  async record(repository: LinkedRepository, since: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO forgejo_reconcile_progress (key, owner, name, since) VALUES ($1, $2, $3, $4)
       ON CONFLICT (key) DO UPDATE SET since = greatest(forgejo_reconcile_progress.since, excluded.since), updated_at = now()`,
      [repository.key, repository.owner, repository.name, since],
    );
  }
}
