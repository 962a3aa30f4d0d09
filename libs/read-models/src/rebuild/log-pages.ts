import type pg from 'pg';
import { EVENT_COLUMNS, PostgresEventStore, READ_ALL_PAGE_BYTES, toRecorded, type EventRow, type EventStore, type Position, type RecordedEvent } from '../../../event-store/src/index.js';

/** An event as the replay reads it: what the read models are made of, without its metadata and recording time. */
export type ReplayedEvent = Pick<RecordedEvent, 'id' | 'streamId' | 'revision' | 'type' | 'data' | 'position'>;

/** A page of the log after `from`, in the global order: at most `limit` events (and about PAGE_BYTES of data). */
export type ReadPage = (from: Position | null, limit: number) => Promise<ReplayedEvent[]>;

// of event data in full: the replay reads the next page while it writes one, and the two hold no more than readAll's one
export const PAGE_BYTES = READ_ALL_PAGE_BYTES / 2;
// a page's query sizes at least this many events (see below)
const LEAST_SIZED = 64;

// The replay's own read of the Postgres log: one keyset scan along the global-order index, below the oldest running
// transaction as the store's readAll reads (so no late commit is skipped), its page cut at PAGE_BYTES of event data.
// A compressed event counts its full size, not its stored size: 65,535 characters of one letter are stored in a few
// hundred bytes, and a page cut by those would hold thousands of them. (`data || '{}'` is the value decompressed, as
// Postgres hands back the other side of an empty object: sized at a sixth of the cost of its text.) Sizing decompresses,
// so a query sizes only a few times as many events as the page before held (up to `limit`): a stretch of big events
// is sized a few times over, not once per page of it. readAll walks the index an event at a time to size each one
// exactly; a replay of the whole log reads this way at several times the speed. Only the columns the read models are
// made of, an array a row: parsing every event's metadata and recording time would cost a third of the reading.
const PAGE = `
  SELECT position, transaction_id::text, stream_id, revision, event_id, type, data FROM (
    SELECT e.position, e.transaction_id, e.stream_id, e.revision, e.event_id, e.type, e.data, row_number() OVER w AS n,
      sum(CASE WHEN pg_column_compression(e.data) IS NULL THEN pg_column_size(e.data) ELSE pg_column_size(e.data || '{}'::jsonb) END) OVER w AS upto
    FROM events e
    WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2::bigint)
      AND e.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
    WINDOW w AS (ORDER BY e.transaction_id, e.position ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ORDER BY e.transaction_id, e.position
    LIMIT $3
  ) page
  WHERE n = 1 OR upto <= $4
  ORDER BY page.transaction_id, page.position`;

type PageRow = [position: string, transactionId: string, streamId: string, revision: number, eventId: string, type: string, data: Record<string, unknown>];

const WHOLE = `
  SELECT ${EVENT_COLUMNS}
  FROM events WHERE position = ANY($1::bigint[]) ORDER BY transaction_id, position`;

/** How a replay reads `store`: the Postgres log straight from its table on `db`, any other store by its readAll. */
export function logPages(store: EventStore, db: pg.Pool): ReadPage {
  if (!(store instanceof PostgresEventStore)) return (from, limit) => store.readAll(from, limit);
  let sized = LEAST_SIZED;
  return async (from, limit) => {
    const window = Math.min(limit, sized);
    const { rows } = await db.query<PageRow>({
      name: 'rebuild_log_page',
      text: PAGE,
      values: [(from?.commit ?? 0n).toString(), (from?.prepare ?? 0n).toString(), window, PAGE_BYTES],
      rowMode: 'array',
    });
    // a full window: the events are small, size twice as many next time; else the bytes cut it
    sized = rows.length === window ? Math.min(limit, 2 * window) : Math.max(LEAST_SIZED, 4 * rows.length);
    return rows.map(([position, transactionId, streamId, revision, id, type, data]) => ({
      id,
      streamId,
      revision,
      type,
      data,
      position: { commit: BigInt(transactionId), prepare: BigInt(position) },
    }));
  };
}

const isWhole = (event: ReplayedEvent): event is RecordedEvent => 'metadata' in event && 'recordedAt' in event;

/** `events` whole (as the live projection's statements take them): read again from the Postgres log on `db` where the replay read them lean. */
export async function wholeEvents(db: pg.ClientBase, events: ReplayedEvent[]): Promise<RecordedEvent[]> {
  if (events.every(isWhole)) return events;
  const { rows } = await db.query<EventRow>(WHOLE, [events.map((event) => event.position.prepare.toString())]);
  return rows.map(toRecorded);
}
