import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type Type } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { PinoLogger } from 'nestjs-pino';
import {
  EVENT_STORE,
  WrongExpectedVersionError,
  type EventMetadata,
  type EventStore,
  type Position,
} from '../../event-store/src/index.js';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import { ProjectionProgress, ProjectionTimeoutError } from '../../projections/src/index.js';
import { ticketShownRevision, ticketsProjection } from '../../read-models/src/index.js';
import { decide, evolve, initialTicketState, ticketStream, type TicketCommand, type TicketEvent } from '../../ticket-domain/src/index.js';
import { TicketReader } from './ticket-reader.js';

/*
 * The one command path: every way in (HTTP, webhook, Forgejo and mail jobs, resync, CLI) sends one of the command
 * classes below on the CommandBus; its handler runs it through the one runner: load, decide, append.
 */

type DataOf<T extends TicketCommand['type']> = Extract<TicketCommand, { type: T }>['data'];

export interface RunOptions {
  /** false for background work: no one is about to read what it wrote */
  waitForReadModels?: boolean;
}

/**
 * A command on one ticket as the CommandBus carries it: which ticket, the decider's command, who caused it. Every
 * way in (HTTP, webhook, Forgejo and mail jobs, resync, CLI) sends one of the classes below.
 */
abstract class TicketCommandMessage<T extends TicketCommand['type']> extends Command<CommandOutcome> {
  abstract readonly type: T;

  constructor(
    readonly ticketId: string,
    readonly data: DataOf<T>,
    readonly metadata: EventMetadata,
    readonly options: RunOptions = {},
  ) {
    super();
  }

  /** The decider's view of this message. */
  toCommand(): TicketCommand {
    return { type: this.type, data: this.data } as TicketCommand;
  }
}

export class CreateTicket extends TicketCommandMessage<'CreateTicket'> { readonly type = 'CreateTicket'; }
export class AddComment extends TicketCommandMessage<'AddComment'> { readonly type = 'AddComment'; }
export class LinkForgejoIssue extends TicketCommandMessage<'LinkForgejoIssue'> { readonly type = 'LinkForgejoIssue'; }
export class LinkForgejoComment extends TicketCommandMessage<'LinkForgejoComment'> { readonly type = 'LinkForgejoComment'; }
export class CloseTicket extends TicketCommandMessage<'CloseTicket'> { readonly type = 'CloseTicket'; }
export class RecordSyncFailure extends TicketCommandMessage<'RecordSyncFailure'> { readonly type = 'RecordSyncFailure'; }
export class RequestResync extends TicketCommandMessage<'RequestResync'> { readonly type = 'RequestResync'; }
export class RecordNotification extends TicketCommandMessage<'RecordNotification'> { readonly type = 'RecordNotification'; }
export class AddTeamReply extends TicketCommandMessage<'AddTeamReply'> { readonly type = 'AddTeamReply'; }
export class EditTeamReply extends TicketCommandMessage<'EditTeamReply'> { readonly type = 'EditTeamReply'; }
export class RemoveTeamReply extends TicketCommandMessage<'RemoveTeamReply'> { readonly type = 'RemoveTeamReply'; }
export class ReopenTicket extends TicketCommandMessage<'ReopenTicket'> { readonly type = 'ReopenTicket'; }
export class RecordForgejoReopen extends TicketCommandMessage<'RecordForgejoReopen'> { readonly type = 'RecordForgejoReopen'; }

const MESSAGES = {
  CreateTicket,
  AddComment,
  LinkForgejoIssue,
  LinkForgejoComment,
  CloseTicket,
  RecordSyncFailure,
  RequestResync,
  RecordNotification,
  AddTeamReply,
  EditTeamReply,
  RemoveTeamReply,
  ReopenTicket,
  RecordForgejoReopen,
} satisfies { [T in TicketCommand['type']]: Type<TicketCommandMessage<T>> };


/** What a run decided: the outcome, the revision and position it stands on, and what its append applied inline. */
interface Decided extends CommandOutcome {
  decidedAt: Position | null;
  decidedRevision: number;
  inline: string[];
}

const MAX_ATTEMPTS = 30;
const READ_YOUR_WRITES_TIMEOUT_MS = 10_000;

export interface CommandOutcome {
  events: TicketEvent[];
  /** where the last event landed; null when the command changed nothing */
  position: Position | null;
}

/**
 * Runs a command against one ticket: load its state, `decide`, append at the revision of the last event folded.
 * The state comes from the decision-state row kept beside the stream plus the events after it, so a command does
 * not read every comment body; the row is rewritten after each append (best effort: it is only a cache), but for
 * a new ticket's, whose one event the next command folds for less than the row's write would cost.
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
    private readonly reader: TicketReader,
    @Inject(PG_POOL) private readonly pool: pg.Pool,
  ) {
    logger.setContext('TicketCommandRunner');
  }

  /** `waitForReadModels: false` for background work, where no one is about to read what was written. */
  async run(ticketId: string, command: TicketCommand, metadata: EventMetadata, { waitForReadModels = true } = {}): Promise<CommandOutcome> {
    const outcome = await this.oneAtATime(ticketId, () => this.decideAndAppend(ticketId, command, metadata));
    const { events, position } = outcome;
    if (waitForReadModels) await this.waitForReadModels(ticketId, outcome);
    return { events, position };
  }

  private async decideAndAppend(
    ticketId: string,
    command: TicketCommand,
    metadata: EventMetadata,
  ): Promise<Decided> {
    const stream = ticketStream(ticketId);
    const eventIds: string[] = [];
    let trustSaved = true;
    for (let attempt = 1; ; attempt++) {
      // a new ticket has no history to read
      const loaded = command.type === 'CreateTicket' ? { state: initialTicketState, revision: -1, position: null } : await this.reader.load(ticketId, trustSaved);
      const events = decide(command, loaded.state);
      if (events.length === 0) return { events, position: null, decidedAt: loaded.position, decidedRevision: loaded.revision, inline: [] };
      const toAppend = events.map((event, i) => ({ id: (eventIds[i] ??= randomUUID()), type: event.type, data: event.data, metadata }));
      try {
        const { position, inline = [] } = await this.store.append(stream, toAppend, loaded.revision === -1 ? 'no_stream' : loaded.revision);
        const state = events.reduce((folded, event, i) => evolve(folded, event, loaded.revision + 1 + i), loaded.state);
        if (loaded.revision !== -1) await this.reader.save(ticketId, { state, revision: loaded.revision + events.length, position }, !trustSaved);
        return { events, position, decidedAt: position, decidedRevision: loaded.revision + events.length, inline };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        // usually another writer got there first; but a row ahead of its stream (a restored database) is wrong
        if (error.actual === 'no_stream' || error.actual < loaded.revision) trustSaved = false;
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
    }
  }

  /**
   * Read-your-writes. What the append applied inline (Postgres) is shown already. A command that changed nothing
   * still answers once the read models show what it decided on (another request's write a moment ago, say), so
   * its caller reads what it saw: the ticket's row tells whether it shows that revision, else the checkpoints do.
   */
  private async waitForReadModels(ticketId: string, { decidedAt, decidedRevision, position, inline }: Decided): Promise<void> {
    if (!decidedAt) return;
    const shown = position ? inline : (await this.rowShows(ticketId, decidedRevision)) ? [ticketsProjection.name] : [];
    try {
      await this.progress.waitFor(decidedAt, READ_YOUR_WRITES_TIMEOUT_MS, shown);
    } catch (error) {
      if (!(error instanceof ProjectionTimeoutError)) throw error;
      // the write is safe in the event log; answering an error now would only invite a duplicate
      this.logger.warn('read models lag behind: answering before they show the write');
    }
  }

  /** Whether the ticket's read-model row shows its stream up to `revision` (false when that cannot be told). */
  private async rowShows(ticketId: string, revision: number): Promise<boolean> {
    try {
      const shown = await ticketShownRevision(this.pool, ticketId);
      return shown !== null && shown >= revision;
    } catch {
      return false;
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

/** The bus message for a decider command (the inbound table gives decider commands). */
export function toMessage(ticketId: string, command: TicketCommand, metadata: EventMetadata, options: RunOptions = {}): TicketCommandMessage<TicketCommand['type']> {
  const message = MESSAGES[command.type] as unknown as new (...args: unknown[]) => TicketCommandMessage<TicketCommand['type']>;
  return new message(ticketId, command.data, metadata, options);
}

/**
 * One handler per ticket command. Each does the same thing on purpose: load, decide, append through the one
 * runner; the rules live in `decide`, so a handler has nothing of its own to add.
 */
function handlerOf(message: Type<TicketCommandMessage<TicketCommand['type']>>): Type<ICommandHandler> {
  @CommandHandler(message)
  class Handler implements ICommandHandler<TicketCommandMessage<TicketCommand['type']>, CommandOutcome> {
    constructor(@Inject(TicketCommandRunner) private readonly runner: TicketCommandRunner) {}

    execute(sent: TicketCommandMessage<TicketCommand['type']>): Promise<CommandOutcome> {
      return this.runner.run(sent.ticketId, sent.toCommand(), sent.metadata, sent.options);
    }
  }
  Object.defineProperty(Handler, 'name', { value: `${message.name}Handler` });
  return Handler;
}

export const ticketCommandHandlers = Object.values(MESSAGES).map((message) => handlerOf(message as Type<TicketCommandMessage<TicketCommand['type']>>));
