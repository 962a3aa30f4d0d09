import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { EVENT_STORE, type EventStore, type Position, type RecordedEvent } from '../../event-store/src/index.js';
import { foldTicket, initialTicketState, ticketStream, type TicketEvent, type TicketState } from '../../ticket-domain/src/index.js';
import { TicketDecisionStates, type SavedDecisionState } from './ticket-decision-state.repository.js';

// events per read when catching up on a stream or looking through it: bounds memory whatever the comments hold
const PAGE = 50;

/** A ticket's state and the revision of the last event folded into it (-1: no stream yet). */
export interface LoadedState {
  state: TicketState;
  revision: number;
  /** where the last event folded stands in the global order (null: no stream, or not known) */
  position: Position | null;
  /** how many of the stream's events this load read and folded past the decision-state row (all: no usable row) */
  folded: number;
}

type Recorded<T extends TicketEvent['type']> = RecordedEvent & { type: T; data: Extract<TicketEvent, { type: T }>['data'] };

/** The revisions of the events a job needs, given what the ticket's state says (a comment's revision, say). */
export type WantedEvents = (state: TicketState) => Iterable<number>;

/** What a job knows of a ticket after one read: its state, and the events it asked for that the stream holds. */
export interface TicketRead extends LoadedState {
  events: ReadonlyMap<number, RecordedEvent>;
  /** the TicketCreated event (title, description, who filed it) when revision 0 was asked for; null: no such ticket */
  created: Recorded<'TicketCreated'> | null;
}

const startOf = (saved: SavedDecisionState | null): LoadedState =>
  saved
    ? { state: saved.state, revision: saved.revision, position: saved.position ?? null, folded: 0 }
    : { state: initialTicketState, revision: -1, position: null, folded: 0 };

/**
 * The one way to read a ticket: its decision state (the row kept beside the stream, plus the events after it),
 * and the events a job asks for by revision. Nothing here reads every comment body of a ticket.
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

  /**
   * A job's one read of a ticket: the state, and the events `wanted` names. Those the fold of the stream's tail
   * passes are kept from it; the older ones are read at their revisions beside the fold, not after it.
   */
  async read(ticketId: string, wanted: WantedEvents): Promise<TicketRead> {
    const from = startOf(await this.readSaved(ticketId));
    const events = new Map<number, RecordedEvent>();
    const before = new Set([...wanted(from.state)].filter((revision) => revision >= 0 && revision <= from.revision));
    const [older, loaded] = await Promise.all([
      this.eventsAt(ticketId, before),
      this.fold(ticketId, from, (page, state) => {
        const asked = new Set(wanted(state));
        for (const event of page) if (asked.has(event.revision)) events.set(event.revision, event);
      }),
    ]);
    for (const event of older) events.set(event.revision, event);
    // asked for only once the tail was folded, yet older than it (rare: a rule that looks further back)
    const late = new Set([...wanted(loaded.state)].filter((revision) => revision >= 0 && !events.has(revision) && !before.has(revision)));
    for (const event of await this.eventsAt(ticketId, late)) events.set(event.revision, event);
    const first = events.get(0);
    return { ...loaded, events, created: first?.type === 'TicketCreated' ? (first as Recorded<'TicketCreated'>) : null };
  }

  /** What the decider knows of a ticket now. */
  async state(ticketId: string): Promise<TicketState> {
    return (await this.load(ticketId)).state;
  }

  /** The saved state (when trusted and readable) plus every event after it, folded a page at a time. */
  async load(ticketId: string, trustSaved = true): Promise<LoadedState> {
    return this.fold(ticketId, startOf(trustSaved ? await this.readSaved(ticketId) : null));
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

  /** The first event `isIt` picks, looked for a page at a time: for a job that does not know the revision. */
  async find(ticketId: string, isIt: (event: RecordedEvent) => boolean): Promise<RecordedEvent | null> {
    for (let from = 0; ; from += PAGE) {
      const page = await this.store.readStream(ticketStream(ticketId), { fromRevision: from, maxCount: PAGE });
      const found = page.find(isIt);
      if (found) return found;
      if (page.length < PAGE) return null;
    }
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

  /** Folds every event after `from`, a page at a time; `onPage` sees each page with the state after it. */
  private async fold(ticketId: string, from: LoadedState, onPage?: (page: RecordedEvent[], state: TicketState) => void): Promise<LoadedState> {
    let { state, revision, position, folded } = from;
    for (;;) {
      const page = await this.store.readStream(ticketStream(ticketId), { fromRevision: revision + 1, maxCount: PAGE });
      state = foldTicket(page, state);
      folded += page.length;
      onPage?.(page, state);
      if (page.length > 0) ({ revision, position } = page[page.length - 1]);
      if (page.length < PAGE) return { state, revision, position, folded };
    }
  }

  private async eventsAt(ticketId: string, revisions: Iterable<number>): Promise<RecordedEvent[]> {
    const events = await Promise.all([...revisions].map((revision) => this.eventAt(ticketId, revision)));
    return events.filter((event): event is RecordedEvent => event !== null);
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
