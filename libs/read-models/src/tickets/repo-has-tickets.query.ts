import type pg from 'pg';

/**
 * Whether any ticket is filed against the repo (what keeps a repo from being deleted). Takes a client, so the
 * check can run in the transaction that holds the repo's row lock.
 */
export async function repoHasTickets(db: pg.Pool | pg.ClientBase, slug: string): Promise<boolean> {
  const { rowCount } = await db.query('SELECT 1 FROM tickets WHERE repo = $1 LIMIT 1', [slug]);
  return (rowCount ?? 0) > 0;
}
