import type pg from 'pg';
import type { RecordedEvent } from '../../event-store/src/index.js';

/** A read model kept by applying events in order. `apply` runs inside the runner's transaction. */
export interface Projection {
  readonly name: string;
  apply(event: RecordedEvent, db: pg.ClientBase): Promise<void>;
}
