import type pg from 'pg';
import { PostgresEventStore, type EventStore, type Position, type RecordedEvent } from '../../../event-store/src/index.js';

/** A page of the log after `from`, in the global order: at most `limit` events (and about PAGE_BYTES of data). */
export type ReadPage = (from: Position | null, limit: number) => Promise<RecordedEvent[]>;

// stored bytes (the size of a compressed event is its compressed size): a page holds a few times that in memory
const PAGE_BYTES = 2 * 1024 * 1024;

// The replay's own read of the Postgres log: one keyset scan along the global-order index, below the oldest running
// transaction as the store's readAll reads (so no late commit is skipped), its page cut at PAGE_BYTES of stored event
// data (pg_column_size: no event is converted or decompressed to be sized). readAll walks the index an event at a
// time to size each one exactly; a replay of the whole log reads this way at several times the speed.
const PAGE = `
  SELECT position, transaction_id::text AS transaction_id, stream_id, revision, event_id, type, data, metadata, recorded_at FROM (
    SELECT e.*, row_number() OVER w AS n, sum(pg_column_size(e.data)) OVER w AS upto
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
  return async (from, limit) => {
    const { rows } = await db.query<EventRow>({
      name: 'rebuild_log_page',
      text: PAGE,
      values: [(from?.commit ?? 0n).toString(), (from?.prepare ?? 0n).toString(), limit, PAGE_BYTES],
    });
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
