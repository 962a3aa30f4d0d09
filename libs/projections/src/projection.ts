import type pg from 'pg';
import type { RecordedEvent } from '../../event-store/src/index.js';

/** A read model kept by applying events in order. `apply` runs inside the runner's transaction. */
export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent, db: pg.ClientBase): Promise<void>;
  /** A faster way to apply a batch in order, when the projection has one; the result must equal `apply` one by one. */
  applyBatch?(events: RecordedEvent[], db: pg.ClientBase): Promise<void>;
}
