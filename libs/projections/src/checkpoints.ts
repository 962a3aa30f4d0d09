import type pg from 'pg';
import type { Position } from '../../event-store/src/index.js';

export async function readCheckpoint(db: pg.ClientBase | pg.Pool, name: string): Promise<Position | null> {
  const { rows } = await db.query<{ commit_position: string; prepare_position: string }>(
    'SELECT commit_position, prepare_position FROM projection_checkpoints WHERE name = $1',
    [name],
  );
  return rows[0] ? { commit: BigInt(rows[0].commit_position), prepare: BigInt(rows[0].prepare_position) } : null;
}

export async function writeCheckpoint(db: pg.ClientBase, name: string, position: Position): Promise<void> {
  await db.query(
    `INSERT INTO projection_checkpoints (name, commit_position, prepare_position) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET commit_position = $2, prepare_position = $3, updated_at = now()`,
    [name, position.commit.toString(), position.prepare.toString()],
  );
}
