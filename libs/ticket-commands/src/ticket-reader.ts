import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { EVENT_STORE, type EventStore, type Position, type RecordedEvent } from '../../event-store/src/index.js';
import { foldTicket, initialTicketState, ticketStream, type TicketEvent, type TicketState } from '../../ticket-domain/src/index.js';
import { TicketDecisionStates, type SavedDecisionState } from './ticket-decision-state.repository.js';

// events folded per read when catching up on a stream: bounds memory whatever the comments hold
const FOLD_PAGE = 50;

/** A ticket's state and the revision of the last event folded into it (-1: no stream yet). */
export interface LoadedState {
  state: TicketState;
  revision: number;
  /** where the last event folded stands in the global order (null: no stream, or not known) */
  position: Position | null;
}

type Recorded<T extends TicketEvent['type']> = RecordedEvent & { type: T; data: Extract<TicketEvent, { type: T }>['data'] };

/**
 * The one way to read a ticket: its decision state (the row kept beside the stream, plus the events after it),
 * or one event at a revision. Nothing here reads every comment body of a ticket.
 */
@Injectable()
export class TicketReader {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly decisionStates: TicketDecisionStates,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('TicketReader');
  }

  /** What the decider knows of a ticket now. */
  async state(ticketId: string): Promise<TicketState> {
    return (await this.load(ticketId)).state;
  }

  /** The saved state (when trusted and readable) plus every event after it, folded a page at a time. */
  async load(ticketId: string, trustSaved = true): Promise<LoadedState> {
    const saved = trustSaved ? await this.readSaved(ticketId) : null;
    let { state, revision, position = null } = saved ?? { state: initialTicketState, revision: -1 };
    for (;;) {
      const page = await this.store.readStream(ticketStream(ticketId), { fromRevision: revision + 1, maxCount: FOLD_PAGE });
      state = foldTicket(page, state);
      if (page.length > 0) ({ revision, position } = page[page.length - 1]);
      if (page.length < FOLD_PAGE) return { state, revision, position };
    }
  }

  /** The TicketCreated event (title, description, who filed it), or null when there is no such ticket. */
  async created(ticketId: string): Promise<Recorded<'TicketCreated'> | null> {
    const first = await this.eventAt(ticketId, 0);
    return first?.type === 'TicketCreated' ? (first as Recorded<'TicketCreated'>) : null;
  }

  /** The event at `revision` of the ticket's stream, or null. */
  async eventAt(ticketId: string, revision: number): Promise<RecordedEvent | null> {
    const [event] = await this.store.readStream(ticketStream(ticketId), { fromRevision: revision, maxCount: 1 });
    return event?.revision === revision ? event : null;
  }

  /** Keeps the decision state after an append (best effort: it is only a cache of the stream). */
  async save(ticketId: string, saved: SavedDecisionState, replace: boolean): Promise<void> {
    try {
      await this.decisionStates.save(ticketId, saved, { replace });
    } catch (error) {
      // the append stands; the next command folds a few more events
      this.logger.warn({ ticketId, err: error }, 'decision state not saved');
    }
  }

  private async readSaved(ticketId: string): Promise<SavedDecisionState | null> {
    try {
      return await this.decisionStates.read(ticketId);
    } catch (error) {
      this.logger.warn({ ticketId, err: error }, 'decision state unreadable: folding the stream from the start');
      return null;
    }
  }
}
