import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type Type } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EVENT_STORE, WrongExpectedVersionError, type EventMetadata, type EventStore, type Position } from '../../event-store/src/index.js';
import { decide, evolve, initialTicketState, ticketStream, type TicketCommand, type TicketEvent } from '../../ticket-domain/src/index.js';
import { ReadYourWrites, type DecidedRun } from './read-your-writes.js';
import { TicketReader, type LoadedState } from './ticket-reader.js';

/*
 * The one command path: every way in (HTTP, webhook, Forgejo and mail jobs, resync, CLI) sends one of the command
 * classes below on the CommandBus; its handler runs it through the one runner: load, decide, append.
 */

type DataOf<T extends TicketCommand['type']> = Extract<TicketCommand, { type: T }>['data'];

export interface RunOptions {
  /** false for background work: no one is about to read what it wrote */
  waitForReadModels?: boolean;
  /**
   * The ticket as the caller has just read it (TicketReader.read or load): the first attempt decides on it instead
   * of reading it again. Safe when stale: the append is at its revision, and a conflict reads again.
   */
  loaded?: LoadedState;
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


const MAX_ATTEMPTS = 30;

/**
 * The decision-state row is rewritten once this many events have gathered after it: folding a few events costs a
 * command less than writing the row after every append would (a snapshot every N events, as Marten and Emmett keep).
 */
export const SAVE_STATE_EVERY = 8;

export interface CommandOutcome {
  events: TicketEvent[];
  /** where the last event landed; null when the command changed nothing */
  position: Position | null;
  /** what the append's inline projections gave back, by name (see AppendResult.answers) */
  answers?: Record<string, unknown>;
}

/** What a run decided: the outcome, the revision and position it stands on, and what its append applied inline. */
type Decided = CommandOutcome & DecidedRun;

/**
 * Runs a command against one ticket: load its state, `decide`, append at the revision of the last event folded.
 * The state comes from the decision-state row kept beside the stream plus the events after it, so a command does
 * not read every comment body; the row is rewritten once SAVE_STATE_EVERY events follow it (best effort: it is
 * only a cache), and at once when it was found wrong.
 * A conflict re-reads and re-decides (bounded); commands on one ticket queue up in this process so that they
 * rarely conflict at all. Event ids are drawn once, before the first attempt, so a retried append is one write.
 * Returns once the read models show the result (bounded wait).
 */
@Injectable()
export class TicketCommandRunner {
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly reader: TicketReader,
    private readonly readYourWrites: ReadYourWrites,
  ) {}

  /** `waitForReadModels: false` for background work, where no one is about to read what was written. */
  async run(ticketId: string, command: TicketCommand, metadata: EventMetadata, { waitForReadModels = true, loaded }: RunOptions = {}): Promise<CommandOutcome> {
    const outcome = await this.oneAtATime(ticketId, () => this.decideAndAppend(ticketId, command, metadata, loaded));
    const { events, position, answers } = outcome;
    if (waitForReadModels) await this.readYourWrites.waitFor(ticketId, outcome);
    return { events, position, answers };
  }

  private async decideAndAppend(
    ticketId: string,
    command: TicketCommand,
    metadata: EventMetadata,
    given?: LoadedState,
  ): Promise<Decided> {
    const stream = ticketStream(ticketId);
    const eventIds: string[] = [];
    let trustSaved = true;
    for (let attempt = 1; ; attempt++) {
      // a new ticket has no history to read
      const loaded =
        command.type === 'CreateTicket'
          ? { state: initialTicketState, revision: -1, position: null, folded: 0 }
          : attempt === 1 && given
            ? given
            : await this.reader.load(ticketId, trustSaved);
      const events = decide(command, loaded.state);
      if (events.length === 0) return { events, position: null, decidedAt: loaded.position, decidedRevision: loaded.revision, inline: [] };
      const toAppend = events.map((event, i) => ({ id: (eventIds[i] ??= randomUUID()), type: event.type, data: event.data, metadata }));
      try {
        const { position, inline = [], answers } = await this.store.append(stream, toAppend, loaded.revision === -1 ? 'no_stream' : loaded.revision);
        const state = events.reduce((folded, event, i) => evolve(folded, event, loaded.revision + 1 + i), loaded.state);
        if (!trustSaved || loaded.folded + events.length >= SAVE_STATE_EVERY) {
          await this.reader.save(ticketId, { state, revision: loaded.revision + events.length, position }, !trustSaved);
        }
        return { events, position, answers, decidedAt: position, decidedRevision: loaded.revision + events.length, inline };
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_ATTEMPTS) throw error;
        // usually another writer got there first; but a row ahead of its stream (a restored database) is wrong
        if (error.actual === 'no_stream' || error.actual < loaded.revision) trustSaved = false;
        await sleep(Math.random() * Math.min(50, 2 ** attempt));
      }
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
