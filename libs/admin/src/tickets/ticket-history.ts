import { Readable } from 'node:stream';
import type { EventMetadata, EventStore, RecordedEvent } from '../../../event-store/src/index.js';
// the domain file itself, not the library's index: the command line loads this without Nest
import { ticketStream } from '../../../ticket-domain/src/ticket.events.js';

export interface HistoryEvent {
  /** the event's own id: what later events name as their causationId */
  id: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recordedAt: string;
}

export interface TicketHistory {
  ticketId: string;
  events: HistoryEvent[];
}

/** Events per read when the history is streamed: a page of 50 big comments is ~10 MB, never the whole ticket. */
export const HISTORY_PAGE = 50;

const toHistoryEvent = (event: RecordedEvent): HistoryEvent => ({
  id: event.id,
  revision: event.revision,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  recordedAt: event.recordedAt.toISOString(),
});

/** A ticket's whole stream in revision order, as admins read it; null when the ticket has no stream. */
export async function ticketHistory(store: EventStore, ticketId: string): Promise<TicketHistory | null> {
  const recorded = await store.readStream(ticketStream(ticketId));
  if (recorded.length === 0) return null;
  return { ticketId, events: recorded.map(toHistoryEvent) };
}

/**
 * The same history as JSON text (byte for byte what `JSON.stringify(ticketHistory(…))` gives), read and written
 * a page of events at a time, so its memory does not grow with the ticket; null when the ticket has no stream.
 */
export async function ticketHistoryJson(store: EventStore, ticketId: string, pageSize = HISTORY_PAGE): Promise<Readable | null> {
  const stream = ticketStream(ticketId);
  const first = await store.readStream(stream, { fromRevision: 0, maxCount: pageSize });
  if (first.length === 0) return null;
  async function* chunks(): AsyncGenerator<string> {
    yield `{"ticketId":${JSON.stringify(ticketId)},"events":[`;
    let page = first;
    for (let written = 0; ; ) {
      for (const event of page) yield (written++ === 0 ? '' : ',') + JSON.stringify(toHistoryEvent(event));
      if (page.length < pageSize) break;
      page = await store.readStream(stream, { fromRevision: page[page.length - 1].revision + 1, maxCount: pageSize });
      if (page.length === 0) break;
    }
    yield ']}';
  }
  // one event at a time into the socket: a page's events leave memory as they are written
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}
