import type pg from 'pg';

/** The last revision of the ticket's stream its row shows (-1: not known), or null when there is no row. */
export async function ticketShownRevision(db: pg.Pool | pg.ClientBase, ticketId: string): Promise<number | null> {
  const { rows } = await db.query<{ stream_revision: number }>({
    name: 'ticket_shown_revision',
    text: 'SELECT stream_revision FROM tickets WHERE id = $1',
    values: [ticketId],
  });
  return rows[0]?.stream_revision ?? null;
}
