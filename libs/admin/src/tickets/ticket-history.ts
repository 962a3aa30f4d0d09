import type { EventMetadata, EventStore } from '../../../event-store/src/index.js';
// the domain file itself, not the library's index: the command line loads this without Nest
import { ticketStream } from '../../../tickets/src/domain/ticket.events.js';

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

/** A ticket's whole stream in revision order, as admins read it; null when the ticket has no stream. */
export async function ticketHistory(store: EventStore, ticketId: string): Promise<TicketHistory | null> {
  const recorded = await store.readStream(ticketStream(ticketId));
  if (recorded.length === 0) return null;
  return {
    ticketId,
    events: recorded.map((event) => ({
      id: event.id,
      revision: event.revision,
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      recordedAt: event.recordedAt.toISOString(),
    })),
  };
}
