import type pg from 'pg';
import type { RecordedEvent } from '../event-store.port.js';

/** An event of a new stream as its append's one round trip renders it: its position is not known yet. */
export type NewStreamEvent = Omit<RecordedEvent, 'position' | 'recordedAt'>;

/** A projection's work for new streams' events as SQL text (see InlineProjection.renderNewStreams). */
export interface RenderedStatements {
  /** one or more statements, the values inlined as literals */
  sql: string;
  /** how many statements `sql` holds: their results come back in that order */
  statements: number;
  /**
   * From those results, for each stream: whether the read model shows its events at commit (as `apply` would
   * answer), and what its caller may answer with (see AppendResult.answers).
   */
  outcomes(results: pg.QueryResult[]): Array<{ shown: boolean; answer?: unknown }>;
  /**
   * renderAppend only: statements run before the insert, failing where `sql` would, so that an append the
   * projection must leave to its runner is turned back before it draws any position (a rolled-back insert would
   * leave a gap in them). Their results are not passed to `outcomes`.
   */
  preconditions?: string[];
}

/**
 * Work that runs inside an append's transaction, after its events are inserted, on the same client, so that one
 * commit serves both (Marten's "inline" lifecycle, Emmett's inline projections). Registered from above: the event
 * store knows nothing of read models. A hook that throws fails the append; one that must not (a read model that
 * meets bad data) sets the event aside itself, under a savepoint.
 */
export interface InlineProjection {
  /** The projection's name: an append reports which ones it applied, so nobody waits for them. */
  readonly name: string;
  /**
   * The events just inserted (one stream, in revision order, as a reader of the log would see them); true when
   * the projection shows them at commit, false when the append's answer must wait for its async runner.
   */
  apply(events: RecordedEvent[], db: pg.ClientBase): Promise<boolean>;
  /**
   * Optional: the same work for the first events of new streams (appends that arrived together), rendered as SQL, so
   * that they all travel as one simple query in one transaction (BEGIN, the insert, this, COMMIT: new-streams.ts)
   * instead of a round trip per statement each. `positionOf(s, i)` is an SQL expression for the position the i-th
   * event of stream s gets. Null when it has no rendering for these events. It runs without a savepoint: when any
   * statement fails the store rolls back and appends each the usual way, where `apply` parks what it cannot apply.
   */
  renderNewStreams?(streams: NewStreamEvent[][], positionOf: (stream: number, index: number) => string): RenderedStatements | null;
  /**
   * Optional: the same work for events appended to a stream that exists (their revisions known, their positions not),
   * rendered as SQL, so that the append is one simple query (BEGIN, the insert, this, COMMIT: rendered-append.ts).
   * It runs only once the insert wrote every event; when it cannot apply them as `apply` would (the read model does
   * not show the stream's earlier events yet, say) it must fail, best already in its `preconditions`, and the store
   * rolls back and appends the usual way.
   * `outcomes` answers one entry. Null when it has no rendering for these events.
   */
  renderAppend?(events: NewStreamEvent[]): Promise<RenderedStatements | null>;
}
