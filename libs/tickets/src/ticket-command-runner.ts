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
import { decide, foldTicket, type TicketCommand, type TicketState } from './domain/ticket.decider.js';
import { ticketStream, type TicketEvent } from './domain/ticket.events.js';

const MAX_ATTEMPTS = 30;
const READ_YOUR_WRITES_TIMEOUT_MS = 10_000;

export interface CommandOutcome {
  events: TicketEvent[];
  /** where the last event landed; null when the command changed nothing */
  position: Position | null;
}

/**
 * Runs a command against one ticket: load its stream, fold with `evolve`, `decide`, append at the revision read.
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
    return foldTicket(await this.store.readStream(ticketStream(ticketId)));
  }

  /** The ticket's events so far, for work that needs more than the decider's state (titles, bodies). */
  history(ticketId: string): Promise<RecordedEvent[]> {
    return this.store.readStream(ticketStream(ticketId));
  }

  private async decideAndAppend(ticketId: string, command: TicketCommand, metadata: EventMetadata): Promise<CommandOutcome> {
    const stream = ticketStream(ticketId);
    const eventIds: string[] = [];
    for (let attempt = 1; ; attempt++) {
      // a new ticket has no history to read
      const history = command.type === 'CreateTicket' ? [] : await this.store.readStream(stream);
      const events = decide(command, foldTicket(history));
      if (events.length === 0) return { events, position: null };
      const toAppend = events.map((event, i) => ({ id: (eventIds[i] ??= randomUUID()), type: event.type, data: event.data, metadata }));
      try {
        const { position } = await this.store.append(stream, toAppend, history.length === 0 ? 'no_stream' : history.length - 1);
        return { events, position };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
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
