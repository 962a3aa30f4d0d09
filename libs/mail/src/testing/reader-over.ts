import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../../event-store/src/index.js';
import { foldTicket } from '../../../ticket-domain/src/index.js';
import { TicketReader } from '../../../ticket-commands/src/index.js';

const NOW = '2026-11-28T10:00:00.000Z';
const meta = { actor: { type: 'system' as const }, correlationId: 'corr', causationId: 'cause' };

/** An event of ticket t1's stream. */
export const eventAt = (revision: number, id: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
  id, type, data: { ticketId: 't1', ...data }, metadata: meta, streamId: 'ticket-t1', revision, position: { commit: 1n, prepare: BigInt(revision) }, recordedAt: new Date(NOW),
});

/**
 * The real TicketReader over a stream in memory, every read of it recorded. `savedUpTo`: the revision the
 * decision-state row is at (the last event by default, as after a command; -1: no row, as for a new ticket).
 */
export function readerOver(events: RecordedEvent[], { savedUpTo = events.length - 1 } = {}) {
  const reads: ReadStreamOptions[] = [];
  const store = {
    readStream: async (_stream: string, options: ReadStreamOptions = {}) => {
      reads.push(options);
      const from = options.fromRevision ?? 0;
      return events.filter((e) => e.revision >= from).slice(0, options.maxCount ?? Infinity);
    },
  } as unknown as EventStore;
  const saved = events.slice(0, savedUpTo + 1);
  const decisionStates = {
    read: async () => (savedUpTo < 0 ? null : { revision: savedUpTo, state: foldTicket(saved), position: saved[savedUpTo].position }),
    save: async () => undefined,
  };
  const logger = { setContext: () => undefined, warn: () => undefined };
  return { reader: new TicketReader(store, decisionStates as never, logger as never), reads };
}
