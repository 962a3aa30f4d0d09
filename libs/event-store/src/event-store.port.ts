/**
 * The event-store port. Two adapters implement it (Postgres, EventStoreDB) and pass one contract test.
 * Revisions count from 0 within a stream; positions order every event of the store.
 */

/** Where an event stands in the global order; compare with `comparePositions`. */
export interface Position {
  commit: bigint;
  prepare: bigint;
}

export type Actor =
  | { type: 'customer'; id: string }
  | { type: 'admin'; id: string }
  | { type: 'forgejo'; login?: string }
  | { type: 'system' };

export interface EventMetadata {
  actor: Actor;
  correlationId: string;
  causationId: string;
  [key: string]: unknown;
}

export interface NewEvent {
  /** Decided once, before the first attempt, so that a retried append is recognised as the same. */
  id: string;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  revision: number;
  position: Position;
  recordedAt: Date;
}

/** `no_stream` to create a stream, the exact revision after a read, or `stream_exists`. Never "any". */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | number;

export interface AppendResult {
  /** Revision of the last event written. */
  nextRevision: number;
  /** Position of the last event written: wait for it to read your own write. */
  position: Position;
  /** Projections applied inside the append's own transaction (Postgres inline projections): no wait for these. */
  inline?: string[];
  /**
   * What those projections gave back for the caller, by name (a read model's row as the append wrote it), so that
   * the caller's answer needs no read of its own.
   */
  answers?: Record<string, unknown>;
}

export class WrongExpectedVersionError extends Error {
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Wrong expected version on ${streamId}: expected ${String(expected)}, actual ${String(actual)}`);
    this.name = 'WrongExpectedVersionError';
  }
}

export interface SubscribeOptions {
  /** Deliver events after this position; null means from the very start. */
  from: Position | null;
  signal: AbortSignal;
  batchSize?: number;
}

/** A slice of one stream: from a revision on (default 0), at most `maxCount` events (default all). */
export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface EventStore {
  append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult>;
  /** The stream (or the slice asked for) in revision order; empty when it does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Up to `limit` events after `from`, in global order. */
  readAll(from: Position | null, limit: number): Promise<RecordedEvent[]>;
  /** Catches up from `from`, then stays live, batch by batch, until the signal aborts. */
  subscribeToAll(options: SubscribeOptions): AsyncIterable<RecordedEvent[]>;
  /** Throws when the store cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

export function positionToJSON(position: Position): { commit: string; prepare: string } {
  return { commit: position.commit.toString(), prepare: position.prepare.toString() };
}
