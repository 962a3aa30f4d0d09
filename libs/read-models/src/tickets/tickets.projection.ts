import pg from 'pg';
import { renderStatement, type NewStreamEvent, type RecordedEvent, type RenderedStatements } from '../../../event-store/src/index.js';
import type { InlineCapableProjection } from '../../../projections/src/index.js';
import type { TicketEvent } from '../../../ticket-domain/src/ticket.events.js';
import { applyTicketEvents, asTicketEvent, LIVE_TABLES, REBUILD_UNDER_WAY, TICKET_ROW_COLUMNS, ticketOfStream, type TicketTables } from './ticket-tables.js';

// The tickets projection: its async way, its inline way, and a new ticket's row in the append's one round trip.
// The rebuild writes the tables the same way:
export { applyTicketEvents, LIVE_TABLES, type TicketTables } from './ticket-tables.js';

const SHOWN_REVISIONS = (t: TicketTables) => `SELECT id, stream_revision FROM ${t.tickets} WHERE id = ANY($1::uuid[])`;

// an inline append goes on from the row only when the row shows every earlier event of the stream
const CLAIM_NEXT = (t: TicketTables) => `
  UPDATE ${t.tickets} SET stream_revision = $3 WHERE id = $1 AND stream_revision = $2 - 1
  RETURNING ${REBUILD_UNDER_WAY} AS rebuilding`;

/** The events whose ticket row does not show them yet: the other path (inline or async) may have applied them. */
async function notShownYet(events: RecordedEvent[], db: pg.ClientBase, tables: TicketTables): Promise<RecordedEvent[]> {
  const ticketIds = [...new Set(events.map((event) => ticketOfStream(event.streamId)).filter((id): id is string => id !== null))];
  if (ticketIds.length === 0) return events;
  const { rows } = await db.query<{ id: string; stream_revision: number }>(SHOWN_REVISIONS(tables), [ticketIds]);
  const shown = new Map(rows.map((row) => [row.id, row.stream_revision]));
  return events.filter((event) => {
    const ticketId = ticketOfStream(event.streamId);
    const revision = ticketId === null ? undefined : shown.get(ticketId);
    return revision === undefined || event.revision > revision;
  });
}

/** Applies what the row does not show yet: the async runner's way, which never applies an event twice. */
async function applyNotShown(events: RecordedEvent[], db: pg.ClientBase): Promise<void> {
  const pending = await notShownYet(events, db, LIVE_TABLES);
  if (pending.length > 0) await applyTicketEvents(pending, db);
}

/**
 * Inside the append's transaction: the events of one ticket stream, just inserted. Applied when the row shows
 * every earlier event of the stream (or the stream is new); else (an earlier event still on its way through the
 * async runner, or parked) left to the runner, which applies them in order.
 */
async function applyJustAppended(events: RecordedEvent[], db: pg.ClientBase): Promise<boolean> {
  const ticketId = ticketOfStream(events[0].streamId);
  if (ticketId === null) return false;
  const first = events[0].revision;
  if (first === 0) {
    const { rebuilding } = await applyTicketEvents(events, db);
    if (rebuilding !== null) return !rebuilding;
    const { rows } = await db.query<{ rebuilding: boolean }>({ name: 'tickets_rebuild_under_way', text: `SELECT ${REBUILD_UNDER_WAY} AS rebuilding` });
    return !rows[0].rebuilding;
  }
  const claimed = await db.query<{ rebuilding: boolean }>({
    name: 'tickets_claim_next',
    text: CLAIM_NEXT(LIVE_TABLES),
    values: [ticketId, first, events[events.length - 1].revision],
  });
  if (claimed.rows.length !== 1) return false;
  await applyTicketEvents(events, db, LIVE_TABLES, { markRevisions: false });
  return !claimed.rows[0].rebuilding;
}

/**
 * New tickets' rows as INSERT_TICKETS writes them, rendered for their appends' one round trip (each `seq` the
 * position its event gets); like the insert, it tells whether a rebuild is under way. Only streams of one
 * TicketCreated, which is what a new ticket is.
 */
function renderNewTickets(streams: NewStreamEvent[][], positionOf: (stream: number, index: number) => string): RenderedStatements | null {
  const created: Array<Extract<TicketEvent, { type: 'TicketCreated' }>['data']> = [];
  for (const events of streams) {
    const event = asTicketEvent(events[0]);
    if (events.length !== 1 || event.type !== 'TicketCreated' || ticketOfStream(events[0].streamId) === null) return null;
    created.push(event.data);
  }
  const text = (value: string) => pg.escapeLiteral(value);
  const rows = created.map(
    (d, s) =>
      `(${text(d.ticketId)}::uuid, ${positionOf(s, 0)}, ${text(d.customerId)}::uuid, ${text(d.customerEmail)}, ${text(d.repo)}, ` +
      `${text(d.title)}, ${text(d.description)}, 'open', ${text(d.createdAt)}::timestamptz, ${text(d.createdAt)}::timestamptz, 0)`,
  );
  return {
    sql: `INSERT INTO ${LIVE_TABLES.tickets} (${TICKET_ROW_COLUMNS}) VALUES ${rows.join(',\n')} RETURNING *, ${REBUILD_UNDER_WAY} AS rebuilding`,
    statements: 1,
    // each new row, for its create's answer (tickets.queries.ts: createdTicket)
    outcomes: ([inserted]) => {
      const rowOf = new Map(inserted.rows.map((row: { id: string; rebuilding: boolean }) => [row.id, row]));
      return created.map((d) => ({ shown: rowOf.get(d.ticketId)?.rebuilding === false, answer: rowOf.get(d.ticketId) }));
    },
  };
}

/**
 * What applyJustAppended does for events appended to a ticket stream that exists, rendered for the append's one
 * round trip: the claim (which fails, by a division by zero, where applyJustAppended would leave the events to the
 * runner, so the store appends the usual way; its precondition tries that before the insert), then the very
 * statements applyTicketEvents runs, their values written in. Positions are not known yet, and no event past a ticket's first needs one.
 */
async function renderAppendedTicketEvents(events: NewStreamEvent[]): Promise<RenderedStatements | null> {
  const ticketId = ticketOfStream(events[0].streamId);
  if (ticketId === null || events[0].revision === 0) return null;
  const claim = renderStatement(CLAIM_NEXT(LIVE_TABLES), [ticketId, events[0].revision, events[events.length - 1].revision]);
  const statements = [`WITH claim AS (${claim}) SELECT 1 / count(*)::int AS claimed, bool_and(rebuilding) AS rebuilding FROM claim`];
  // the same test without the row's lock, before the insert: a row behind its stream turns the append back early
  const claimable = renderStatement(`SELECT 1 / count(*)::int AS claimable FROM ${LIVE_TABLES.tickets} WHERE id = $1 AND stream_revision = $2 - 1`, [
    ticketId,
    events[0].revision,
  ]);
  const recorder = {
    query: async (text: string | pg.QueryConfig, values?: unknown[]) => {
      statements.push(typeof text === 'string' ? renderStatement(text, values) : renderStatement(text.text, text.values));
      return { rows: [], rowCount: 0 };
    },
  };
  const recorded = events.map((event): RecordedEvent => ({ ...event, position: { commit: 0n, prepare: 0n }, recordedAt: new Date(0) }));
  await applyTicketEvents(recorded, recorder as unknown as pg.ClientBase, LIVE_TABLES, { markRevisions: false });
  return {
    sql: statements.join(';\n'),
    statements: statements.length,
    outcomes: ([claimed]) => [{ shown: claimed.rows[0]?.rebuilding === false }],
    preconditions: [claimable],
  };
}

/** The tickets and comments tables, from ticket events. Timestamps come from the events, so a rebuild is equal. */
export const ticketsProjection: InlineCapableProjection = {
  name: 'tickets',
  apply: (event, db) => applyNotShown([event], db),
  applyBatch: (events, db) => applyNotShown(events, db),
  applyInline: applyJustAppended,
  renderNewStreams: renderNewTickets,
  renderAppend: renderAppendedTicketEvents,
};
