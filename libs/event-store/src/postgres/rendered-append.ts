import pg from 'pg';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import type { InlineProjection, NewStreamEvent, RenderedStatements } from './inline-projections.js';
import { oneRoundTrip, type AppendedRow, type NewStreamWritten } from './new-streams.js';

/**
 * An append to a stream that exists, at an expected revision, in one round trip when every inline projection can
 * render its part (InlineProjection.renderAppend): BEGIN, the projections' preconditions, the guarded insert, a check
 * that it wrote every event, the projections' statements, COMMIT, as one simple query, where the usual way takes a
 * round trip for each.
 * Null when some projection has no rendering, or when anything failed (rolled back): the store then appends the usual
 * way, statement by statement, which tells a wrong expected revision from a retry that landed and parks what a
 * projection cannot apply.
 */
export async function appendRendered(
  pool: pg.Pool,
  inline: InlineProjection[],
  streamId: string,
  events: NewEvent[],
  expected: number,
  data: string[],
  metadata: string[],
): Promise<NewStreamWritten | null> {
  const appended = events.map((event, i): NewStreamEvent => ({
    id: event.id,
    streamId,
    revision: expected + 1 + i,
    type: event.type,
    // as the log gives them back: through JSON, as jsonb stores them
    data: JSON.parse(data[i]) as Record<string, unknown>,
    metadata: JSON.parse(metadata[i]) as RecordedEvent['metadata'],
  }));
  const rendered: RenderedStatements[] = [];
  for (const projection of inline) {
    const statements = (await projection.renderAppend?.(appended)) ?? null;
    if (!statements) return null;
    rendered.push(statements);
  }
  const text = (value: string) => pg.escapeLiteral(value);
  const values = appended.map((event, i) => `(${text(event.id)}, ${event.revision}, ${text(event.type)}, ${text(data[i])}, ${text(metadata[i])})`).join(',\n');
  const ids = appended.map((event) => `${text(event.id)}::uuid`).join(', ');
  const preconditions = rendered.flatMap((statements) => statements.preconditions ?? []);
  const sql = [
    'BEGIN',
    ...preconditions,
    `INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
     SELECT ${text(streamId)}, v.revision, v.event_id::uuid, v.type, v.data::jsonb, v.metadata::jsonb
     FROM (VALUES ${values}) AS v(event_id, revision, type, data, metadata)
     WHERE (SELECT max(revision) FROM events WHERE stream_id = ${text(streamId)}) = ${expected}
     RETURNING position, transaction_id::text AS transaction_id, revision, recorded_at`,
    // fails (division by zero) unless the insert wrote them all: the expected revision did not hold
    `SELECT 1 / (count(*) = ${events.length})::int AS written FROM events WHERE event_id IN (${ids})`,
    ...rendered.map((statements) => statements.sql),
    'COMMIT',
  ].join(';\n');

  const results = await oneRoundTrip(pool, sql);
  if (!results) return null;
  const written: NewStreamWritten = { rows: results[1 + preconditions.length].rows as AppendedRow[], inline: [], answers: {} };
  let next = 3 + preconditions.length;
  rendered.forEach((statements, p) => {
    const [outcome] = statements.outcomes(results.slice(next, next + statements.statements));
    next += statements.statements;
    if (!outcome?.shown) return;
    written.inline.push(inline[p].name);
    if (outcome.answer !== undefined) written.answers[inline[p].name] = outcome.answer;
  });
  return written;
}
