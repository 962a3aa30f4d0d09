import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import {
  EVENT_STORE,
  WrongExpectedVersionError,
  type EventMetadata,
  type EventStore,
  type Position,
  type RecordedEvent,
} from '../../event-store/src/index.js';
import { ProjectionProgress, ProjectionTimeoutError } from '../../projections/src/index.js';
import { decide, evolve, foldTicket, initialTicketState, type TicketCommand, type TicketState } from './domain/ticket.decider.js';
import { ticketStream, type TicketEvent } from './domain/ticket.events.js';
import { TicketDecisionStates, type SavedDecisionState } from './ticket-decision-state.repository.js';

const MAX_ATTEMPTS = 30;
const READ_YOUR_WRITES_TIMEOUT_MS = 10_000;
// events folded per read when catching up on a stream: bounds memory whatever the comments hold
const FOLD_PAGE = 50;

/** A ticket's state and the revision of the last event folded into it (-1: no stream yet). */
interface LoadedState {
  state: TicketState;
  revision: number;
}

export interface CommandOutcome {
  events: TicketEvent[];
  /** where the last event landed; null when the command changed nothing */
  position: Position | null;
}

/**
 * Runs a command against one ticket: load its state, `decide`, append at the revision of the last event folded.
 * The state comes from the decision-state row kept beside the stream plus the events after it, so a command does
 * not read every comment body; the row is rewritten after each append (best effort: it is only a cache).
 * A conflict re-reads and re-decides (bounded); commands on one ticket queue up in this process so that they
 * rarely conflict at all. Event ids are drawn once, before the first attempt, so a retried append is one write.
 * Returns once the read models show the result (bounded wait).
 */
@Injectable()
export class TicketCommandRunner {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly progress: ProjectionProgress,
    private readonly logger: PinoLogger,
    private readonly decisionStates: TicketDecisionStates,
  ) {
    logger.setContext('TicketCommandRunner');
  }

  /** `waitForReadModels: false` for background work, where no one is about to read what was written. */
  async run(ticketId: string, command: TicketCommand, metadata: EventMetadata, { waitForReadModels = true } = {}): Promise<CommandOutcome> {
    const outcome = await this.oneAtATime(ticketId, () => this.decideAndAppend(ticketId, command, metadata));
    if (outcome.position && waitForReadModels) await this.waitForReadModels(outcome.position);
    return outcome;
  }

  /** What the decider knows of a ticket now (background work asks this before it acts). */
  async state(ticketId: string): Promise<TicketState> {
    return (await this.load(ticketId, true)).state;
  }

  /** The ticket's events so far, for work that needs more than the decider's state (titles, bodies). */
  history(ticketId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(ticketStream(ticketId));
  }

  private async decideAndAppend(ticketId: string, command: TicketCommand, metadata: EventMetadata): Promise<CommandOutcome> {
    const stream = ticketStream(ticketId);
    const eventIds: string[] = [];
    let trustSaved = true;
    for (let attempt = 1; ; attempt++) {
      // a new ticket has no history to read
      const loaded = command.type === 'CreateTicket' ? { state: initialTicketState, revision: -1 } : await this.load(ticketId, trustSaved);
      const events = decide(command, loaded.state);
      if (events.length === 0) return { events, position: null };
      const toAppend = events.map((event, i) => ({ id: (eventIds[i] ??= randomUUID()), type: event.type, data: event.data, metadata }));
      try {
        const { position } = await this.store.append(stream, toAppend, loaded.revision === -1 ? 'no_stream' : loaded.revision);
        const state = events.reduce((folded, event, i) => evolve(folded, event, loaded.revision + 1 + i), loaded.state);
        await this.save(ticketId, { state, revision: loaded.revision + events.length }, !trustSaved);
        return { events, position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        // usually another writer got there first; but a row ahead of its stream (a restored database) is wrong
        if (error.actual === 'no_stream' || error.actual < loaded.revision) trustSaved = false;
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
    }
  }

  /** The saved state (when trusted and readable) plus every event after it, folded a page at a time. */
  private async load(ticketId: string, trustSaved: boolean): Promise<LoadedState> {
    const saved = trustSaved ? await this.readSaved(ticketId) : null;
    let { state, revision } = saved ?? { state: initialTicketState, revision: -1 };
    for (;;) {
      const page = await this.store.readStream(ticketStream(ticketId), { fromRevision: revision + 1, maxCount: FOLD_PAGE });
      state = foldTicket(page, state);
      if (page.length > 0) revision = page[page.length - 1].revision;
      if (page.length < FOLD_PAGE) return { state, revision };
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

  private async save(ticketId: string, saved: SavedDecisionState, replace: boolean): Promise<void> {
    try {
      await this.decisionStates.save(ticketId, saved, { replace });
    } catch (error) {
      // the append stands; the next command folds a few more events
      this.logger.warn({ ticketId, err: error }, 'decision state not saved');
    }
  }

  private async waitForReadModels(position: Position): Promise<void> {
    try {
      await this.progress.waitFor(position, READ_YOUR_WRITES_TIMEOUT_MS);
    } catch (error) {
      if (!(error instanceof ProjectionTimeoutError)) throw error;
      // the write is safe in the event log; answering an error now would only invite a duplicate
      this.logger.warn('read models lag behind: answering before they show the write');
    }
  }

  private async oneAtATime<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const current = previous.catch(() => undefined).then(work);
    this.queues.set(key, current);
    try {
      return await current;
    } finally {
      if (this.queues.get(key) === current) this.queues.delete(key);
    }
  }
}
