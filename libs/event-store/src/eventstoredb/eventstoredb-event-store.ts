import {
  BACKWARDS,
  END,
  ErrorType,
  EventStoreDBClient,
  excludeSystemEvents,
  FORWARDS,
  jsonEvent,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type ResolvedEvent,
  type StreamingRead,
} from '@eventstore/db-client';
import {
  comparePositions,
  WrongExpectedVersionError,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type ExpectedRevision,
  type NewEvent,
  type Position,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../event-store.port.js';

/**
 * Stands in for the position of an event read from a stream when the server does not report one (EventStoreDB
 * before 22.6 gives positions only on reads of $all). It sorts before every real position.
 */
const UNKNOWN_POSITION: Position = { commit: -1n, prepare: -1n };

export interface EventStoreDbEventStoreOptions {
  /** How long `ping` waits for an answer before it gives up. */
  pingTimeoutMs?: number;
}

/**
 * The event-store port on EventStoreDB. Streams, revisions, optimistic concurrency, idempotent retries and the
 * catch-up-then-live subscription are the server's own; this class maps names and numbers and leaves out what the
 * port cannot carry: system events (types starting with `$`), non-JSON events and unresolved links.
 */
export class EventStoreDbEventStore implements EventStore {
  private readonly client: EventStoreDBClient;
  private readonly pingTimeoutMs: number;

  /** @param connectionString e.g. `esdb://localhost:2113?tls=false` */
  constructor(connectionString: string, options: EventStoreDbEventStoreOptions = {}) {
    this.client = EventStoreDBClient.connectionString(connectionString);
    this.pingTimeoutMs = options.pingTimeoutMs ?? 5000;
  }

  async append(streamId: string, events: NewEvent[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) throw new Error('append needs at least one event');
    const expectedRevision: AppendExpectedRevision =
      expected === 'no_stream' ? NO_STREAM : expected === 'stream_exists' ? STREAM_EXISTS : BigInt(expected);
    let result;
    try {
      // The same ids at the same expected revision are a retry: the server answers with the first append's result.
      result = await this.client.appendToStream(
        streamId,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: e.data, metadata: e.metadata })),
        { expectedRevision },
      );
    } catch (error) {
      if (hasErrorType(error, ErrorType.WRONG_EXPECTED_VERSION)) {
        const actual = (error as { actualVersion?: unknown }).actualVersion;
        throw new WrongExpectedVersionError(streamId, expected, typeof actual === 'bigint' ? Number(actual) : 'no_stream');
      }
      throw error;
    }
    const nextRevision = Number(result.nextExpectedRevision);
    // An idempotent retry comes back without a position: take it from the event itself.
    const position = result.position
      ? { commit: result.position.commit, prepare: result.position.prepare }
      : await this.positionOf(streamId, result.nextExpectedRevision);
    return { nextRevision, position };
  }

  async readStream(streamId: string, { fromRevision, maxCount }: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    let resolved: ResolvedEvent[];
    try {
      resolved = await collect(
        this.client.readStream(streamId, {
          fromRevision: fromRevision ? BigInt(fromRevision) : START,
          direction: FORWARDS,
          ...(maxCount !== undefined ? { maxCount } : {}),
        }),
      );
    } catch (error) {
      if (hasErrorType(error, ErrorType.STREAM_NOT_FOUND)) return [];
      throw error;
    }
    return resolved.map((r) => {
      const event = toRecorded(r);
      // Dropping it would leave a gap the caller cannot see, and its next append would fail on a stale revision.
      if (!event) {
        throw new Error(
          `Stream ${streamId} holds an event the event store cannot read (revision ${String(r.event?.revision)}, type ${String(r.event?.type)}): not a JSON event with JSON metadata`,
        );
      }
      return event;
    });
  }

  async readAll(from: Position | null, limit: number): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    let after = from;
    // $all cannot be filtered on read, so system events take room in a page: read on until `limit` events of
    // ours are in or $all ends, so that an empty answer always means "caught up".
    while (events.length < limit) {
      // One more than needed, because the read starts AT `after` (inclusive) and that event is skipped; never
      // tiny pages, since system events may fill most of them.
      const pageSize = Math.max(limit - events.length + 1, 100);
      const page = await collect(
        this.client.readAll({ fromPosition: after ?? START, direction: FORWARDS, maxCount: pageSize }),
      );
      const before = after;
      for (const resolved of page) {
        const position = positionOfResolved(resolved);
        if (!position || (after && comparePositions(position, after) <= 0)) continue;
        after = position;
        const event = toRecorded(resolved);
        if (event) events.push(event);
      }
      if (page.length < pageSize) break;
      if (after === before) throw new Error('readAll made no progress through $all');
    }
    return events.slice(0, limit);
  }

  async *subscribeToAll({ from, signal, batchSize = 500 }: SubscribeOptions): AsyncIterable<RecordedEvent[]> {
    if (signal.aborted) return;
    const size = Math.max(1, batchSize);
    const subscription = this.client.subscribeToAll(
      { fromPosition: from ?? START, filter: excludeSystemEvents() },
      // Let up to one batch wait in the stream's buffer, so that a batch is what has already arrived.
      { highWaterMark: size },
    );
    const state: { failure: Error | null; ended: boolean } = { failure: null, ended: false };
    let wake: (() => void) | null = null;
    const notify = () => {
      const resume = wake;
      wake = null;
      resume?.();
    };
    const onError = (error: Error) => {
      state.failure ??= error;
      notify();
    };
    const onEnd = () => {
      state.ended = true;
      notify();
    };
    // Stays on after the end: an error emitted late must not go unhandled.
    subscription.on('error', onError);
    subscription.on('end', onEnd);
    subscription.on('close', onEnd);
    subscription.on('readable', notify);
    signal.addEventListener('abort', notify, { once: true });
    let checkpoint = from;
    try {
      while (!signal.aborted) {
        if (state.failure) throw state.failure;
        const batch: RecordedEvent[] = [];
        while (batch.length < size) {
          const resolved = subscription.read() as AllStreamResolvedEvent | null;
          if (resolved === null) break;
          const event = toRecorded(resolved);
          // A subscription from a position starts after it; the check also keeps a redelivery out.
          if (!event || (checkpoint && comparePositions(event.position, checkpoint) <= 0)) continue;
          checkpoint = event.position;
          batch.push(event);
        }
        if (batch.length > 0) {
          yield batch;
          continue;
        }
        if (state.ended) return;
        // Nothing buffered: wait for more, the end, an error or the signal. No event can fire in between.
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
      }
    } finally {
      signal.removeEventListener('abort', notify);
      subscription.off('readable', notify);
      try {
        await subscription.unsubscribe();
      } catch {
        // the call never started (server down) or is already over
      }
      subscription.destroy();
    }
  }

  async ping(): Promise<void> {
    const read = this.client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`EventStoreDB did not answer within ${this.pingTimeoutMs} ms`)), this.pingTimeoutMs);
    });
    try {
      // Reads ignore the client's deadline, so the wait is bounded here.
      await Promise.race([collect(read), timeout]);
    } catch (error) {
      await read.cancel().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }

  private async positionOf(streamId: string, revision: bigint): Promise<Position> {
    const [resolved] = await collect(this.client.readStream(streamId, { fromRevision: revision, maxCount: 1 }));
    return positionOfResolved(resolved) ?? UNKNOWN_POSITION;
  }
}

type AnyResolvedEvent = ResolvedEvent | AllStreamResolvedEvent;

function toRecorded(resolved: AnyResolvedEvent): RecordedEvent | null {
  const event = resolved.event;
  if (!event || !event.isJson || event.type.startsWith('$')) return null;
  if (!isJsonObject(event.data) || !isJsonObject(event.metadata)) return null;
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    type: event.type,
    data: event.data,
    metadata: event.metadata as EventMetadata,
    position: positionOfResolved(resolved) ?? UNKNOWN_POSITION,
    recordedAt: event.created,
  };
}

function positionOfResolved(resolved: AnyResolvedEvent | undefined): Position | null {
  const position = resolved?.event?.position ?? resolved?.link?.position;
  return position ? { commit: position.commit, prepare: position.prepare } : null;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** The client's errors carry a `type`; compared by value, so a second copy of the client still matches. */
function hasErrorType(error: unknown, type: ErrorType): boolean {
  return error instanceof Error && (error as { type?: unknown }).type === type;
}

async function collect<T>(read: StreamingRead<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}
