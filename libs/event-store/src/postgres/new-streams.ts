import pg from 'pg';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import type { InlineProjection, NewStreamEvent, RenderedStatements } from './inline-projections.js';

/** How many new streams one transaction takes at most. */
const MAX_BATCH = 64;
/** How many of those transactions one process has on the wire at once. */
const MAX_IN_FLIGHT = 2;

export interface AppendedRow {
  position: string;
  transaction_id: string;
  revision: number;
  recorded_at: Date;
}

/** What a new stream's append wrote: its rows, the projections that show it at commit, and what they gave back. */
export interface NewStreamWritten {
  rows: AppendedRow[];
  inline: string[];
  answers: Record<string, unknown>;
}

interface Pending {
  streamId: string;
  events: NewEvent[];
  /** the events' data and metadata as JSON, as the store sends them */
  data: string[];
  metadata: string[];
  done(written: NewStreamWritten | null): void;
}

/**
 * Group commit of new streams, for the Postgres store whose inline projections can render their part as SQL (see
 * InlineProjection.renderNewStreams): the appends of new streams that arrive together go out as one simple query,
 * BEGIN, one insert of all their events, the projections' statements for all of them, COMMIT: one round trip, one
 * transaction and one WAL flush for many. An append alone goes at once (nothing waits for company); while a batch is
 * on the wire the next ones gather. When a batch fails (a stream taken meanwhile, data a projection cannot take), it
 * is rolled back and each of its appends is answered null: the store then appends it the usual way, statement by
 * statement, which tells a taken stream from bad data and parks what a projection cannot apply.
 */
export class NewStreamAppends {
  private readonly queue: Pending[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly inline: InlineProjection[],
  ) {}

  /** Whether every inline projection can take new streams this way (else every append goes the usual way). */
  get available(): boolean {
    return this.inline.length > 0 && this.inline.every((projection) => projection.renderNewStreams !== undefined);
  }

  append(streamId: string, events: NewEvent[], data: string[], metadata: string[]): Promise<NewStreamWritten | null> {
    return new Promise((done) => {
      this.queue.push({ streamId, events, data, metadata, done });
      this.sendWhileRoom();
    });
  }

  private sendWhileRoom(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      // whatever goes wrong, each append is answered: null sends it the usual way
      void this.send(batch)
        .catch(() => batch.forEach((pending) => pending.done(null)))
        .finally(() => {
          this.inFlight--;
          this.sendWhileRoom();
        });
    }
  }

  private async send(batch: Pending[]): Promise<void> {
    const streams = batch.map(({ streamId, events, data, metadata }) =>
      events.map((event, i): NewStreamEvent => ({
        id: event.id,
        streamId,
        revision: i,
        type: event.type,
        // as the log gives them back: through JSON, as jsonb stores them
        data: JSON.parse(data[i]) as Record<string, unknown>,
        metadata: JSON.parse(metadata[i]) as RecordedEvent['metadata'],
      })),
    );
    const positionOf = (stream: number, i: number) => `(SELECT position FROM events WHERE event_id = ${pg.escapeLiteral(streams[stream][i].id)}::uuid)`;
    const rendered: RenderedStatements[] = [];
    for (const projection of this.inline) {
      const statements = projection.renderNewStreams?.(streams, positionOf);
      if (!statements) return batch.forEach((pending) => pending.done(null));
      rendered.push(statements);
    }
    const values = batch
      .flatMap(({ streamId, events, data, metadata }) =>
        events.map((event, i) => `(${[streamId, String(i), event.id, event.type, data[i], metadata[i]].map((v) => pg.escapeLiteral(v)).join(', ')})`),
      )
      .join(',\n');
    const sql = [
      'BEGIN',
      `INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
       SELECT v.stream_id, v.revision::int, v.event_id::uuid, v.type, v.data::jsonb, v.metadata::jsonb
       FROM (VALUES ${values}) AS v(stream_id, revision, event_id, type, data, metadata)
       RETURNING stream_id, position, transaction_id::text AS transaction_id, revision, recorded_at`,
      ...rendered.map((statements) => statements.sql),
      'COMMIT',
    ].join(';\n');
    const results = await oneRoundTrip(this.pool, sql);
    if (!results) return batch.forEach((pending) => pending.done(null));
    const rowsOf = new Map<string, AppendedRow[]>();
    for (const row of results[1].rows as Array<AppendedRow & { stream_id: string }>) rowsOf.set(row.stream_id, [...(rowsOf.get(row.stream_id) ?? []), row]);
    const written = batch.map((pending): NewStreamWritten => ({ rows: rowsOf.get(pending.streamId) ?? [], inline: [], answers: {} }));
    let next = 2;
    rendered.forEach((statements, p) => {
      const own = results.slice(next, next + statements.statements);
      next += statements.statements;
      const outcomes = statements.outcomes(own);
      written.forEach((stream, s) => {
        if (!outcomes[s].shown) return;
        stream.inline.push(this.inline[p].name);
        if (outcomes[s].answer !== undefined) stream.answers[this.inline[p].name] = outcomes[s].answer;
      });
    });
    batch.forEach((pending, s) => pending.done(written[s]));
  }

}

/**
 * An append's one simple query (BEGIN … COMMIT) and its results; null when it failed, rolled back (a client whose
 * ROLLBACK fails is destroyed): the caller then appends the usual way.
 */
export async function oneRoundTrip(pool: pg.Pool, sql: string): Promise<pg.QueryResult[] | null> {
  const client = await pool.connect();
  let broken = false;
  try {
    return (await client.query(sql)) as unknown as pg.QueryResult[];
  } catch {
    await client.query('ROLLBACK').catch(() => (broken = true));
    return null;
  } finally {
    client.release(broken);
  }
}
