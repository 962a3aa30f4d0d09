import type pg from 'pg';
import { PostgresEventStore, type EventStore, type Position, type RecordedEvent } from '../../../event-store/src/index.js';

/** A page of the log after `from`, in the global order: at most `limit` events (and about PAGE_BYTES of data). */
export type ReadPage = (from: Position | null, limit: number) => Promise<RecordedEvent[]>;

// of event data in full (a page takes a few times that in memory while it is read, folded and written)
const PAGE_BYTES = 2 * 1024 * 1024;
// a page's query sizes at least this many events (see below)
const LEAST_SIZED = 64;

// The replay's own read of the Postgres log: one keyset scan along the global-order index, below the oldest running
// transaction as the store's readAll reads (so no late commit is skipped), its page cut at PAGE_BYTES of event data.
// A compressed event counts its full size, not its stored size: 65,535 characters of one letter are stored in a few
// hundred bytes, and a page cut by those would hold thousands of them. (`data || '{}'` is the value decompressed, as
// Postgres hands back the other side of an empty object: sized at a sixth of the cost of its text.) Sizing decompresses,
// so a query sizes only a few times as many events as the page before held (up to `limit`): a stretch of big events
// is sized a few times over, not once per page of it. readAll walks the index an event at a time to size each one
// exactly; a replay of the whole log reads this way at several times the speed.
const PAGE = `
  SELECT position, transaction_id::text AS transaction_id, stream_id, revision, event_id, type, data, metadata, recorded_at FROM (
    SELECT e.*, row_number() OVER w AS n,
      sum(CASE WHEN pg_column_compression(e.data) IS NULL THEN pg_column_size(e.data) ELSE pg_column_size(e.data || '{}'::jsonb) END) OVER w AS upto
    FROM events e
    WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2::bigint)
      AND e.transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
    WINDOW w AS (ORDER BY e.transaction_id, e.position ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ORDER BY e.transaction_id, e.position
    LIMIT $3
  ) page
  WHERE n = 1 OR upto <= $4
  ORDER BY page.n`;

interface EventRow {
  position: string;
  transaction_id: string;
  stream_id: string;
  revision: number;
  event_id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: RecordedEvent['metadata'];
  recorded_at: Date;
}

/** How a replay reads `store`: the Postgres log straight from its table on `db`, any other store by its readAll. */
export function logPages(store: EventStore, db: pg.Pool): ReadPage {
  if (!(store instanceof PostgresEventStore)) return (from, limit) => store.readAll(from, limit);
  let sized = LEAST_SIZED;
  return async (from, limit) => {
    const window = Math.min(limit, sized);
    const { rows } = await db.query<EventRow>({
      name: 'rebuild_log_page',
      text: PAGE,
      values: [(from?.commit ?? 0n).toString(), (from?.prepare ?? 0n).toString(), window, PAGE_BYTES],
    });
    // a full window: the events are small, size twice as many next time; else the bytes cut it
    sized = rows.length === window ? Math.min(limit, 2 * window) : Math.max(LEAST_SIZED, 4 * rows.length);
    return rows.map((row) => ({
      id: row.event_id,
      streamId: row.stream_id,
      revision: row.revision,
      type: row.type,
      data: row.data,
      metadata: row.metadata,
      position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) },
      recordedAt: row.recorded_at,
    }));
  };
}
