import type pg from 'pg';
import type { RecordedEvent } from '../event-store.port.js';

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
}
