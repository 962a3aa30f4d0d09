import type pg from 'pg';
import type { InlineProjection, RecordedEvent, RenderedStatements } from '../../event-store/src/index.js';
import { applyOrPark } from './apply-or-park.js';
import { describeError, parkEvent } from './parked-events.js';
import type { Projection } from './projection.js';

// the key the inline appliers share and the rebuild's switch takes alone (same key space as projection:{name})
const READ_MODELS_SWITCH_LOCK = 'read-models-switch';

/**
 * Taken by every inline applier before it touches a read-model table, until its transaction ends: a rebuild's
 * switch, holding it exclusively (`holdReadModelsForSwitch`), never swaps tables under an append's feet. Constant
 * SQL, so that it travels with the applier's savepoint in one simple query.
 */
const SHARE_READ_MODELS = `SELECT pg_advisory_xact_lock_shared(hashtext('${READ_MODELS_SWITCH_LOCK}'))`;

/** The rebuild's switch: waits for every inline applier in flight, and holds new ones until its transaction ends. */
export async function holdReadModelsForSwitch(db: pg.ClientBase): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [READ_MODELS_SWITCH_LOCK]);
}

/** A projection that can run in the append's transaction (see Projection.applyInline). */
export type InlineCapableProjection = Projection & Required<Pick<Projection, 'applyInline'>>;

export interface InlineLog {
  error(obj: unknown, msg: string): void;
}

/**
 * A projection run inside the append's transaction. What it cannot apply (bad data, a broken constraint, its own
 * exception) is rolled back to a savepoint and parked, as the async runner parks it, and the append commits;
 * any other error (the connection) fails the append.
 */
export function inlineProjection(projection: InlineCapableProjection, log?: InlineLog): InlineProjection {
  return {
    name: projection.name,
    async apply(events, db) {
      let shown = true;
      // the shared lock and the savepoint in one round trip; the append's commit releases the savepoint
      const unapplied = await applyOrPark(
        db,
        events,
        async (batch) => void (shown = await projection.applyInline(batch, db)),
        (event) => projection.apply(event, db),
        { before: `${SHARE_READ_MODELS};`, release: false },
      );
      for (const { event, error } of unapplied) {
        await parkEvent(db, projection.name, event, describeError(error));
        log?.error(
          { err: error, eventId: event.id, streamId: event.streamId, revision: event.revision, type: event.type },
          `inline projection ${projection.name} parked an event it cannot apply`,
        );
      }
      return shown;
    },
    // the same shared lock first; no savepoint: a failure sends the append the usual way, which parks
    renderNewStreams: (streams, positionOf) => afterSharedLock(projection.renderNewStreams?.(streams, positionOf)),
    renderAppend: async (events) => afterSharedLock(await projection.renderAppend?.(events)),
  };
}

// before the projection touches a read-model table: its preconditions too, or a switch waiting for their table deadlocks
function afterSharedLock(rendered: RenderedStatements | null | undefined): RenderedStatements | null {
  if (!rendered) return null;
  if (rendered.preconditions?.length) return { ...rendered, preconditions: [SHARE_READ_MODELS, ...rendered.preconditions] };
  return {
    sql: `${SHARE_READ_MODELS};\n${rendered.sql}`,
    statements: rendered.statements + 1,
    outcomes: (results) => rendered.outcomes(results.slice(1)),
  };
}

/** Whether a projection can run inline (see Projection.applyInline). */
export function runsInline(projection: Projection): projection is InlineCapableProjection {
  return typeof projection.applyInline === 'function';
}
