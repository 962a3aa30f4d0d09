import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import type { OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PinoLogger } from 'nestjs-pino';
import type { RecordedEvent } from '../../../event-store/src/index.js';
import { FORGEJO_QUEUE, QUEUE_CONCURRENCY } from '../../../queues/src/index.js';
import { ReposRepository } from '../../../repos/src/index.js';
import {
  causedBy,
  CloseTicket,
  LinkForgejoComment,
  LinkForgejoIssue,
  RecordForgejoReopen,
  TicketReader,
  type RunOptions,
} from '../../../ticket-commands/src/index.js';
import type { TicketEvent, TicketState } from '../../../ticket-domain/src/index.js';
import { ForgejoAttempts } from './forgejo-attempts.js';
import { ForgejoBreaker } from './forgejo-breaker.js';
import { ForgejoJobFailures, type Cause, type TicketJob } from './forgejo-job-failures.js';
import { ForgejoClient, type ForgejoIssue } from '../client/forgejo-client.js';
import { PermanentForgejoError } from '../client/forgejo-errors.js';
import { CREATE_COMMENT, CREATE_ISSUE, REOPEN_ISSUE } from './forgejo-jobs.js';
import { commentBody, commentMarker, issueBody, issueMarker, reopenBody, reopenMarker } from '../client/issue-bodies.js';

// no one is about to read what a job records
const BACKGROUND: RunOptions = { waitForReadModels: false };

type Open = Extract<TicketState, { status: 'open' | 'closed' }>;
type Repository = { owner: string; name: string };

/**
 * Creates the issue or comment a job stands for, at most once: it asks the ticket's state first and does nothing
 * when the link is recorded; when Postgres says an earlier attempt started, it looks in Forgejo for the marked
 * issue or comment before creating one. Reads the ticket once: its state and the events it sends (the ticket's
 * first, the one comment), never every comment body. A failed attempt is retried or recorded by
 * ForgejoJobFailures.
 */
@Processor(FORGEJO_QUEUE)
export class ForgejoSyncProcessor implements OnApplicationShutdown {
  constructor(
    private readonly forgejo: ForgejoClient,
    private readonly tickets: TicketReader,
    private readonly commands: CommandBus,
    private readonly repos: ReposRepository,
    private readonly attempts: ForgejoAttempts,
    private readonly breaker: ForgejoBreaker,
    private readonly failures: ForgejoJobFailures,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoSync');
  }

  onApplicationShutdown(): void {
    this.breaker.stop();
  }

  // the queue's loops, started once for all its job names (see QUEUE_CONCURRENCY)
  @Process({ name: CREATE_ISSUE, concurrency: QUEUE_CONCURRENCY[FORGEJO_QUEUE] })
  createIssue(job: TicketJob): Promise<string> {
    return this.failures.attempt(job, null, (cause) => this.syncIssue(job.data.ticketId, cause));
  }

  @Process({ name: CREATE_COMMENT, concurrency: 0 })
  createComment(job: TicketJob): Promise<string> {
    const commentId = job.data.commentId!;
    return this.failures.attempt(job, commentId, (cause) => this.syncComment(job.data.ticketId, commentId, cause));
  }

  @Process({ name: REOPEN_ISSUE, concurrency: 0 })
  reopenIssue(job: TicketJob): Promise<string> {
    return this.failures.attempt(job, null, (cause) => this.syncReopen(job.data.ticketId, job.data.revision!, cause));
  }

  /** A job that ended failed without an attempt having recorded why: recorded now (see ForgejoJobFailures). */
  @OnQueueFailed()
  async onFailed(job: TicketJob, error: Error): Promise<void> {
    if (job.name === CREATE_ISSUE || job.name === CREATE_COMMENT) await this.failures.recordEnded(job, error);
  }

  private async syncIssue(ticketId: string, cause: Cause): Promise<string> {
    // its TicketCreated only when the issue is still to be made
    const { state, created } = await this.tickets.read(ticketId, (s) => (s.status !== 'none' && s.forgejoIssueNumber === null ? [0] : []));
    if (state.status === 'none') return 'no such ticket';
    if (state.forgejoIssueNumber !== null) {
      // a run cut off between the link and its look at the issue's state does that look now
      if (state.status === 'open') await this.closeIfClosed(state, state.forgejoRepo ?? (await this.currentRepository(state.repo)), cause);
      return `already linked to #${state.forgejoIssueNumber}`;
    }
    if (state.failedSyncs.has('issue')) return 'gave up: waiting for a resync';
    if (!created) return 'no such ticket';
    cause.event = created;
    const ticket = created.data;
    // the slug's repository now: the link records it, and the issue stays there whatever the slug says later
    const repo = await this.currentRepository(ticket.repo);
    this.breaker.assertClosed();
    const since = new Date(Date.parse(ticket.createdAt) - 60_000);
    const issue =
      ((await this.attempts.begin(`issue:${ticketId}`)) && (await this.forgejo.findIssue(repo.owner, repo.name, issueMarker(ticketId), since))) ||
      (await this.forgejo.createIssue(repo.owner, repo.name, { title: ticket.title, body: issueBody(ticket.description, ticket.customerEmail, ticketId) }));
    const link = { issueNumber: issue.number, owner: repo.owner, name: repo.name, now: new Date().toISOString() };
    await this.commands.execute(new LinkForgejoIssue(ticketId, link, causedBy(cause.event, ticketId), BACKGROUND));
    await this.closeIfClosed({ ...state, forgejoIssueNumber: issue.number }, repo, cause);
    return `linked to #${issue.number}`;
  }

  private async syncComment(ticketId: string, commentId: string, cause: Cause): Promise<string> {
    const { state, events } = await this.tickets.read(ticketId, (known) => (known.status === 'none' ? [] : [known.comments.get(commentId)?.revision ?? -1]));
    if (state.status === 'none' || !state.comments.has(commentId)) return 'no such comment';
    const known = state.comments.get(commentId)!;
    if (known.forgejoCommentId !== null) return 'already linked';
    if (state.failedSyncs.has(commentId)) return 'gave up: waiting for a resync';
    // sent once the issue exists: ForgejoIssueLinked brings this job back
    if (state.forgejoIssueNumber === null) return 'waiting for the issue';
    const issueNumber = state.forgejoIssueNumber;
    const added = await this.commentAdded(ticketId, commentId, events.get(known.revision));
    cause.event = added;
    const comment = added.data as Extract<TicketEvent, { type: 'CommentAdded' }>['data'];
    // where the issue lives, whatever the slug says now (links from before it was kept: the slug's repository)
    const repo = state.forgejoRepo ?? (await this.currentRepository(state.repo));
    this.breaker.assertClosed();
    const since = new Date(Date.parse(comment.createdAt) - 60_000);
    const created =
      ((await this.attempts.begin(`comment:${commentId}`)) &&
        (await this.forgejo.findComment(repo.owner, repo.name, issueNumber, commentMarker(commentId), since))) ||
      (await this.forgejo.createComment(repo.owner, repo.name, issueNumber, commentBody(comment.body, comment.authorEmail, commentId)));
    const link = { commentId, forgejoCommentId: created.id, now: new Date().toISOString() };
    await this.commands.execute(new LinkForgejoComment(ticketId, link, causedBy(cause.event, ticketId), BACKGROUND));
    return `linked to comment ${created.id}`;
  }

  /**
   * A customer's reopen: the issue is opened again (PATCH, idempotent) and gets one comment saying so (looked for
   * by its marker when an earlier attempt may have posted it), then ForgejoIssueReopened is recorded. Its
   * `reopened` webhook finds the ticket open and changes nothing.
   */
  private async syncReopen(ticketId: string, revision: number, cause: Cause): Promise<string> {
    const owed = (s: TicketState) => s.status !== 'none' && s.unsyncedReopens.has(revision) && s.forgejoIssueNumber !== null;
    const { state, created, events } = await this.tickets.read(ticketId, (s) => (owed(s) ? [0, revision] : []));
    if (state.status === 'none') return 'no such ticket';
    if (!state.unsyncedReopens.has(revision)) return 'already reopened in Forgejo';
    if (state.forgejoIssueNumber === null) return 'waiting for the issue';
    const reopened = events.get(revision);
    if (reopened?.type !== 'TicketReopened') throw new Error(`no TicketReopened at revision ${revision} of ticket ${ticketId}`);
    cause.event = reopened;
    if (!created) return 'no such ticket';
    const issueNumber = state.forgejoIssueNumber;
    const repo = state.forgejoRepo ?? (await this.currentRepository(state.repo));
    this.breaker.assertClosed();
    // closed again since (the team closed it in Forgejo): opening the issue now would undo that close
    if (state.status === 'open') await this.forgejo.editIssue(repo.owner, repo.name, issueNumber, { state: 'open' });
    const since = new Date(Date.parse(reopened.data.reopenedAt as string) - 60_000);
    const marker = reopenMarker(ticketId, revision);
    const comment =
      ((await this.attempts.begin(`reopen:${ticketId}:${revision}`)) && (await this.forgejo.findComment(repo.owner, repo.name, issueNumber, marker, since))) ||
      (await this.forgejo.createComment(repo.owner, repo.name, issueNumber, reopenBody(created.data.customerEmail as string, ticketId, revision)));
    const data = { reopenRevision: revision, forgejoCommentId: comment.id, now: new Date().toISOString() };
    await this.commands.execute(new RecordForgejoReopen(ticketId, data, causedBy(cause.event, ticketId), BACKGROUND));
    return `reopened #${issueNumber}, comment ${comment.id}`;
  }

  /** The one CommentAdded event: the one read at its revision, else (the state knows no revision) looked for. */
  private async commentAdded(ticketId: string, commentId: string, atRevision: RecordedEvent | undefined): Promise<RecordedEvent> {
    const isIt = (event: RecordedEvent) => event.type === 'CommentAdded' && event.data.commentId === commentId;
    if (atRevision && isIt(atRevision)) return atRevision;
    const found = await this.tickets.find(ticketId, isIt);
    if (!found) throw new Error(`comment ${commentId} is in the ticket's state but not in its stream`);
    return found;
  }

  /**
   * The issue may have been closed before the link was recorded (its webhook then found no ticket): the state it
   * has now is applied. Closing twice is a no-op, so a webhook arriving as well changes nothing.
   */
  private async closeIfClosed(state: Open, repo: Repository, cause: Cause): Promise<void> {
    const issueNumber = state.forgejoIssueNumber!;
    const issue: ForgejoIssue = await this.forgejo.getIssue(repo.owner, repo.name, issueNumber);
    if (issue.state !== 'closed') return;
    const metadata = causedBy(cause.event, state.ticketId, { type: 'forgejo' }, 'link');
    const data = { issueNumber, closedBy: null, deliveryId: null, now: new Date().toISOString() };
    await this.commands.execute(new CloseTicket(state.ticketId, data, metadata, BACKGROUND));
    this.logger.info({ ticketId: state.ticketId, issueNumber }, 'issue was closed before its link: ticket closed');
  }

  private async currentRepository(slug: string): Promise<Repository> {
    const repo = await this.repos.findBySlug(slug);
    if (!repo) throw new PermanentForgejoError(`repo "${slug}" no longer exists`, 404);
    return { owner: repo.owner, name: repo.name };
  }
}
