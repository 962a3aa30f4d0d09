import type pg from 'pg';
import { renderStatement, type Position } from '../../event-store/src/index.js';

export async function readCheckpoint(db: pg.ClientBase | pg.Pool, name: string): Promise<Position | null> {
  const { rows } = await db.query<{ commit_position: string; prepare_position: string }>(
    'SELECT commit_position, prepare_position FROM projection_checkpoints WHERE name = $1',
    [name],
  );
  return rows[0] ? { commit: BigInt(rows[0].commit_position), prepare: BigInt(rows[0].prepare_position) } : null;
}

const WRITE_CHECKPOINT = `INSERT INTO projection_checkpoints (name, commit_position, prepare_position) VALUES ($1, $2, $3)
     ON CONFLICT (name) DO UPDATE SET commit_position = $2, prepare_position = $3, updated_at = now()`;

const checkpointValues = (name: string, position: Position) => [name, position.commit.toString(), position.prepare.toString()];

export async function writeCheckpoint(db: pg.ClientBase, name: string, position: Position): Promise<void> {
  await db.query(WRITE_CHECKPOINT, checkpointValues(name, position));
}

/** The checkpoint and the COMMIT of the caller's open transaction, in one round trip (a runner does this per batch). */
export async function writeCheckpointAndCommit(db: pg.ClientBase, name: string, position: Position): Promise<void> {
  await db.query(`${renderStatement(WRITE_CHECKPOINT, checkpointValues(name, position))};\nCOMMIT`);
}
