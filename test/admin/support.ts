import type pg from 'pg';
import { PG_POOL } from '../../libs/database/src/index.js';
import { EVENT_STORE, type EventStore } from '../../libs/event-store/src/index.js';
import { rebuildReadModels, type RebuildResult } from '../../libs/read-models/src/rebuild/rebuild.js';
import type { TestApi } from '../support/api.js';

/**
 * A rebuild of `api`'s read models that holds still at its first read of the event log, until released:
 * while `reading` has resolved and `release()` was not called, a rebuild is running.
 */
export function holdRebuild(api: TestApi): { reading: Promise<void>; release: () => void; done: Promise<RebuildResult> } {
  const store = api.app.get<symbol, EventStore>(EVENT_STORE);
  let entered!: () => void;
  let release!: () => void;
  const reading = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (release = resolve));
  let first = true;
  const held: EventStore = {
    append: (...args) => store.append(...args),
    readStream: (...args) => store.readStream(...args),
    readAll: async (...args) => {
      if (first) {
        first = false;
        entered();
        await gate;
      }
      return store.readAll(...args);
    },
    subscribeToAll: (...args) => store.subscribeToAll(...args),
    ping: () => store.ping(),
    close: async () => undefined,
  };
  const done = rebuildReadModels(api.app.get<symbol, pg.Pool>(PG_POOL), held);
  // a rebuild that fails before its first read would leave `reading` pending: let the caller see why
  done.catch((error) => {
    entered();
    throw error;
  }).catch(() => undefined);
  return { reading, release, done };
}
