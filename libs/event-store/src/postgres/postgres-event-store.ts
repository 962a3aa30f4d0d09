import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { inTransaction } from '../../../database/src/pool.js';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port.js';
import { AppendSignal } from './append-signal.js';
import type { InlineProjection } from './inline-projections.js';
import { NewStreamAppends, type AppendedRow } from './new-streams.js';
import { appendRendered } from './rendered-append.js';

/** The columns of an event as the store reads them, for toRecorded. */
export const EVENT_COLUMNS = `position, transaction_id::text AS transaction_id, stream_id, revision, event_id, type, data, metadata, recorded_at`;

export interface EventRow {
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

/** A row of EVENT_COLUMNS as the event it holds. */
export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: row.revision,
    type: row.type,
    data: row.data,
    metadata: row.metadata,
    position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) },
    recordedAt: row.recorded_at,
  };
}

/*
 * One INSERT ... SELECT per append: the expected-revision guard and the rows go in one statement, and the
 * unique key on (stream_id, revision) settles any race between two writers at the same revision.
 */
const APPEND_AT = `
  INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
  SELECT $1, $2::int + e.ord::int, e.id, e.type, e.data, e.metadata
  FROM unnest($3::uuid[], $4::text[], $5::jsonb[], $6::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
  WHERE $2::int = -1 OR (SELECT max(revision) FROM events WHERE stream_id = $1) = $2::int
  RETURNING position, transaction_id::text AS transaction_id, revision, recorded_at`;

const APPEND_AFTER_LAST = `
  WITH head AS (SELECT max(revision) AS revision FROM events WHERE stream_id = $1)
  INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
  SELECT $1, head.revision + e.ord::int, e.id, e.type, e.data, e.metadata
  FROM head, unnest($2::uuid[], $3::text[], $4::jsonb[], $5::jsonb[]) WITH ORDINALITY AS e(id, type, data, metadata, ord)
  WHERE head.revision IS NOT NULL
  RETURNING position, transaction_id::text AS transaction_id, revision, recorded_at`;

/** A page of readAll holds at most this many bytes of event data (always at least one event). */
export const READ_ALL_PAGE_BYTES = 8 * 1024 * 1024;

// Only events of transactions older than every running one: a bigserial position is taken at insert but
// becomes visible at commit, so reading "after position N" alone would skip a late commit.
// The page is walked one event at a time along the global-order index, adding up the size of each event's data,
// and stops at $3 events or $4 bytes: a page of big events never holds hundreds of megabytes, and the walk
// never sizes more events than it returns (plus one).
const READ_ALL = `
  WITH RECURSIVE horizon AS MATERIALIZED (SELECT pg_snapshot_xmin(pg_current_snapshot()) AS xmin),
  page (transaction_id, position, n, upto) AS (
    (SELECT e.transaction_id, e.position, 1, octet_length(e.data::text)::bigint FROM events e
     WHERE (e.transaction_id, e.position) > ($1::text::xid8, $2::bigint)
       AND e.transaction_id < (SELECT xmin FROM horizon)
     ORDER BY e.transaction_id, e.position
     LIMIT 1)
    UNION ALL
    SELECT next.transaction_id, next.position, page.n + 1, page.upto + next.bytes
    FROM page CROSS JOIN LATERAL (
      SELECT e.transaction_id, e.position, octet_length(e.data::text)::bigint AS bytes FROM events e
      WHERE (e.transaction_id, e.position) > (page.transaction_id, page.position)
        AND e.transaction_id < (SELECT xmin FROM horizon)
      ORDER BY e.transaction_id, e.position
      LIMIT 1
    ) next
    WHERE page.n < $3 AND page.upto + next.bytes <= $4
  )
  SELECT events.position, events.transaction_id::text AS transaction_id, events.stream_id, events.revision, events.event_id,
         events.type, events.data, events.metadata, events.recorded_at
  FROM page JOIN events ON events.position = page.position
  ORDER BY events.transaction_id, events.position`;

export interface PostgresEventStoreOptions {
  /**
   * How long a caught-up subscription waits before it looks again. Appends wake it at once (in this process
   * directly, in others by NOTIFY), so this only bounds the wait when a wake-up was lost or an unrelated transaction
   * held the log's visibility horizon back: short polls would cost a query every few milliseconds per subscription.
   */
  pollIntervalMs?: number;
  /** Applied in every append's transaction; more can be added with `addInline` before the first append. */
  inline?: InlineProjection[];
}

export class PostgresEventStore implements EventStore {
  private readonly signal: AppendSignal;
  private readonly pollIntervalMs: number;
  private readonly inline: InlineProjection[];
  private readonly newStreams: NewStreamAppends;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.inline = [...(options.inline ?? [])];
    this.signal = new AppendSignal(pool);
    this.newStreams = new NewStreamAppends(pool, this.inline);
  }

  /** Runs `projection` inside every later append's transaction (see InlineProjection). */
  addInline(projection: InlineProjection): void {
    if (!this.inline.some((known) => known.name === projection.name)) this.inline.push(projection);
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const columns = [
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => JSON.stringify(e.metadata)),
    ];
    for (let attempt = 0; ; attempt++) {
      let rows: AppendedRow[] = [];
      let inline: string[] | undefined;
      let answers: Record<string, unknown> | undefined;
      try {
        ({ rows, inline, answers } = await this.insert(streamId, events, expected, columns));
      } catch (error) {
        if ((error as { code?: string }).code !== '23505') throw error;
      }
      if (rows.length === events.length) {
        this.signal.appended();
        return inline ? { ...lastOf(rows), inline, ...(answers && { answers }) } : lastOf(rows);
      }
      const earlier = await this.findAppended(streamId, events);
      if (earlier) return earlier;
      // "stream exists" has no revision to be wrong about: a concurrent writer took ours, so go again.
      if (expected === 'stream_exists' && attempt < 50 && (await this.head(streamId)) !== 'no_stream') continue;
      throw new WrongExpectedVersionError(streamId, expected, await this.head(streamId));
    }
  }

  /**
   * The INSERT alone when no projection runs inline; else one transaction: the INSERT, then each inline
   * projection on the same client, then one commit. Rows short of the events: the expected revision did not hold.
   * Where the inline projections can render their part as SQL, a new stream's append goes with others that arrive
   * together (new-streams.ts), and an append at an expected revision goes as one simple query (rendered-append.ts).
   */
  private async insert(
    streamId: string,
    events: NewEvent[],
    expected: ExpectedRevision,
    columns: string[][],
  ): Promise<{ rows: AppendedRow[]; inline?: string[]; answers?: Record<string, unknown> }> {
    // Named, so each connection parses and plans an append once: planning costs more than running it.
    const query =
      expected === 'stream_exists'
        ? { name: 'events_append_after_last', text: APPEND_AFTER_LAST, values: [streamId, ...columns] }
        : { name: 'events_append_at', text: APPEND_AT, values: [streamId, expected === 'no_stream' ? -1 : expected, ...columns] };
    if (this.inline.length === 0) return { rows: (await this.pool.query<AppendedRow>(query)).rows };
    if (expected === 'no_stream' && this.newStreams.available) {
      const written = await this.newStreams.append(streamId, events, columns[2], columns[3]);
      if (written) return written;
    }
    if (typeof expected === 'number') {
      const written = await appendRendered(this.pool, this.inline, streamId, events, expected, columns[2], columns[3]);
      if (written) return written;
    }
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AppendedRow>(query);
      if (rows.length !== events.length) return { rows };
      const recorded = rows
        .sort((a, b) => a.revision - b.revision)
        .map((row, i): RecordedEvent => ({
          id: events[i].id,
          streamId,
          revision: row.revision,
          type: events[i].type,
          // as the log gives them back: through JSON, as jsonb stores them
          data: JSON.parse(columns[2][i]) as Record<string, unknown>,
          metadata: JSON.parse(columns[3][i]) as RecordedEvent['metadata'],
          position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.position) },
          recordedAt: row.recorded_at,
        }));
      const inline: string[] = [];
      for (const projection of this.inline) if (await projection.apply(recorded, client)) inline.push(projection.name);
      return { rows, inline };
    });
  }

  async readStream(streamId: string, { fromRevision = 0, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.pool.query<EventRow>({
      name: 'events_read_stream',
      text: `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 AND revision >= $2 ORDER BY revision LIMIT $3`,
      values: [streamId, fromRevision, maxCount ?? null],
    });
    return rows.map(toRecorded);
  }

  async readAll(from: Position | null, limit: number): Promise<RecordedEvent[]> {
    // named: planning this recursive query costs more than running it (about 4 ms against 1 ms, caught up), and every
    // caught-up subscription runs it many times a second
    const { rows } = await this.pool.query<EventRow>({
      name: 'events_read_all',
      text: READ_ALL,
      values: [(from?.commit ?? 0n).toString(), (from?.prepare ?? 0n).toString(), limit, READ_ALL_PAGE_BYTES],
    });
    return rows.map(toRecorded);
  }

  async *subscribeToAll({ from, signal, batchSize = 500 }: SubscribeOptions): AsyncIterable<RecordedEvent[]> {
    let checkpoint = from;
    while (!signal.aborted) {
      const batch = await this.readAll(checkpoint, batchSize);
      if (batch.length > 0) {
        checkpoint = batch[batch.length - 1].position;
        yield batch;
      }
      // wait only when there was nothing: appends that committed while the consumer handled a batch woke no one
      if (batch.length === 0) await this.waitForAppend(signal);
    }
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1 FROM events LIMIT 0');
  }

  async close(): Promise<void> {
    await this.signal.close();
  }

  /** When every event already sits in the stream with these ids, this is a retry of an append that landed. */
  private async findAppended(streamId: string, events: NewEvent[]): Promise<AppendResult | null> {
    const { rows } = await this.pool.query<{ event_id: string; stream_id: string; position: string; transaction_id: string; revision: number }>(
      `SELECT event_id, stream_id, position, transaction_id::text AS transaction_id, revision
       FROM events WHERE event_id = ANY($1::uuid[]) ORDER BY revision`,
      [events.map((e) => e.id)],
    );
    if (rows.length === 0) return null;
    const sameAppend =
      rows.length === events.length &&
      rows.every((row, i) => row.stream_id === streamId && row.event_id === events[i].id && row.revision === rows[0].revision + i);
    if (!sameAppend) throw new Error(`Event ids already used by another append on ${rows[0].stream_id}`);
    return lastOf(rows);
  }

  private async head(streamId: string): Promise<number | 'no_stream'> {
    const { rows } = await this.pool.query<{ revision: number | null }>(
      'SELECT max(revision) AS revision FROM events WHERE stream_id = $1',
      [streamId],
    );
    return rows[0].revision ?? 'no_stream';
  }

  private async waitForAppend(signal: AbortSignal): Promise<void> {
    const wake = new AbortController();
    const onStop = () => wake.abort();
    const stopWaiting = this.signal.onNext(() => wake.abort());
    signal.addEventListener('abort', onStop, { once: true });
    try {
      await sleep(this.pollIntervalMs, undefined, { signal: wake.signal });
    } catch {
      // woken early: an append, here or in another process, or a stop
    } finally {
      stopWaiting();
      signal.removeEventListener('abort', onStop);
    }
  }
}

function lastOf(rows: Array<{ position: string; transaction_id: string; revision: number }>): AppendResult {
  const last = rows.reduce((a, b) => (b.revision > a.revision ? b : a));
  return {
    nextRevision: last.revision,
    position: { commit: BigInt(last.transaction_id), prepare: BigInt(last.position) },
  };
}
