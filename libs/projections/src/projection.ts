import type pg from 'pg';
import type { NewStreamEvent, RecordedEvent, RenderedStatements } from '../../event-store/src/index.js';

/** A read model kept by applying events in order. `apply` runs inside the runner's transaction. */
export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent, db: pg.ClientBase): Promise<void>;
  /** A faster way to apply a batch in order, when the projection has one; the result must equal `apply` one by one. */
  applyBatch?(events: RecordedEvent[], db: pg.ClientBase): Promise<void>;
  /**
   * What makes a projection able to run inline: applies the events of one stream just appended in this very
   * transaction. True: the read model shows them at commit. False: the append's answer waits for the async runner
   * as without inline (an earlier event of the stream has not reached the read model yet, so they were left to
   * the runner; or a rebuild is under way). Its `apply` must skip what this applied: the runner never applies twice.
   */
  applyInline?(events: RecordedEvent[], db: pg.ClientBase): Promise<boolean>;
  /**
   * What `applyInline` does for the first events of new streams, as SQL text (see InlineProjection.renderNewStreams),
   * so that the Postgres store sends appends that arrive together in one round trip; null when it has no rendering
   * for these events.
   */
  renderNewStreams?(streams: NewStreamEvent[][], positionOf: (stream: number, index: number) => string): RenderedStatements | null;
  /**
   * What `applyInline` does for events appended to a stream that exists, as SQL text (see InlineProjection.renderAppend),
   * failing where `applyInline` would leave them to the runner; null when it has no rendering for these events.
   */
  renderAppend?(events: NewStreamEvent[]): Promise<RenderedStatements | null>;
}
