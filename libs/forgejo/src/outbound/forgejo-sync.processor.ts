import { OnQueueFailed, Process, Processor } from '@nestjs/bull';
import { Inject, type OnApplicationShutdown } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { Job } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import { CONFIG, type Config } from '../../../config/src/index.js';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '../../../event-store/src/index.js';
import { FORGEJO_QUEUE } from '../../../queues/src/index.js';
import { ReposRepository } from '../../../repos/src/index.js';
import {
  causedBy,
  CloseTicket,
  LinkForgejoComment,
  LinkForgejoIssue,
  RecordForgejoReopen,
  RecordSyncFailure,
  TicketReader,
  type RunOptions,
} from '../../../ticket-commands/src/index.js';
import { ticketStream, type TicketEvent, type TicketState } from '../../../ticket-domain/src/index.js';
import { ForgejoAttempts } from './forgejo-attempts.js';
import { ForgejoBreaker } from './forgejo-breaker.js';
import { ForgejoClient, type ForgejoIssue } from '../client/forgejo-client.js';
import { PermanentForgejoError, TemporaryForgejoError } from '../client/forgejo-errors.js';
import { CREATE_COMMENT, CREATE_ISSUE, REOPEN_ISSUE } from './forgejo-sagas.js';
import { commentBody, commentMarker, issueBody, issueMarker, reopenBody, reopenMarker } from '../client/issue-bodies.js';

// enough for 20 issues in flight at once against a slow Forgejo
const CONCURRENCY = 20;

// no one is about to read what a job records
const BACKGROUND: RunOptions = { waitForReadModels: false };

type TicketJob = Job<{ ticketId: string; commentId?: string; revision?: number }>;
type Open = Extract<TicketState, { status: 'open' | 'closed' }>;
type Repository = { owner: string; name: string };
/** The event a job stands for, once read: what the ticket's history names as the cause of what the job records. */
type Cause = { event: RecordedEvent | null };

/**
 * Creates the issue or comment a job stands for, at most once: it asks the ticket's state first and does nothing
 * when the link is recorded; when Postgres says an earlier attempt started, it looks in Forgejo for the marked
 * issue or comment before creating one. Reads only the events it sends (the ticket's first, the one comment).
 * Temporary failures are retried (Bull's backoff) for FORGEJO_RETRY_FOR_S; then, or on a permanent failure, the
 * failure is recorded in the ticket's history and the job is discarded.
 */
@Processor(FORGEJO_QUEUE)
export class ForgejoSyncProcessor implements OnApplicationShutdown {
  constructor(
    private readonly forgejo: ForgejoClient,
    private readonly tickets: TicketReader,
    private readonly commands: CommandBus,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly repos: ReposRepository,
    private readonly attempts: ForgejoAttempts,
    private readonly breaker: ForgejoBreaker,
    @Inject(CONFIG) private readonly config: Config,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoSync');
  }

  onApplicationShutdown(): void {
    this.breaker.stop();
  }

  @Process({ name: CREATE_ISSUE, concurrency: CONCURRENCY })
  createIssue(job: TicketJob): Promise<string> {
    return this.attempt(job, null, (cause) => this.syncIssue(job.data.ticketId, cause));
  }

  @Process({ name: CREATE_COMMENT, concurrency: CONCURRENCY })
  createComment(job: TicketJob): Promise<string> {
    const commentId = job.data.commentId!;
    return this.attempt(job, commentId, (cause) => this.syncComment(job.data.ticketId, commentId, cause));
  }

  @Process({ name: REOPEN_ISSUE, concurrency: CONCURRENCY })
  reopenIssue(job: TicketJob): Promise<string> {
    return this.attempt(job, null, (cause) => this.syncReopen(job.data.ticketId, job.data.revision!, cause));
  }

  /**
   * A job that ended failed without this processor having recorded why (it stalled too often, its worker died
   * repeatedly): recorded now, so that it is listed in /admin/sync-failures. A no-op when already recorded.
   */
  @OnQueueFailed()
  async onFailed(job: TicketJob, error: Error): Promise<void> {
    if (job.name !== CREATE_ISSUE && job.name !== CREATE_COMMENT) return;
    try {
      if (!(await job.isFailed())) return; // an attempt that Bull will retry
      await this.recordFailure(job, { event: null }, error, job.attemptsMade);
    } catch (recordError) {
      // the sweep finds it owed and starts it again
      this.logger.warn({ jobId: job.id, reason: (recordError as Error).message }, 'could not record a failed Forgejo job');
    }
  }

  private async syncIssue(ticketId: string, cause: Cause): Promise<string> {
    const state = await this.tickets.state(ticketId);
    if (state.status === 'none') return 'no such ticket';
    if (state.forgejoIssueNumber !== null) {
      // a run cut off between the link and its look at the issue's state does that look now
      if (state.status === 'open') await this.closeIfClosed(state, state.forgejoRepo ?? (await this.currentRepository(state.repo)), cause);
      return `already linked to #${state.forgejoIssueNumber}`;
    }
    if (state.failedSyncs.has('issue')) return 'gave up: waiting for a resync';
    const created = await this.tickets.created(ticketId);
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
    const state = await this.tickets.state(ticketId);
    if (state.status === 'none' || !state.comments.has(commentId)) return 'no such comment';
    const known = state.comments.get(commentId)!;
    if (known.forgejoCommentId !== null) return 'already linked';
    if (state.failedSyncs.has(commentId)) return 'gave up: waiting for a resync';
    // sent once the issue exists: ForgejoIssueLinked brings this job back
    if (state.forgejoIssueNumber === null) return 'waiting for the issue';
    const issueNumber = state.forgejoIssueNumber;
    const added = await this.commentAdded(ticketId, commentId, known.revision);
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
    const state = await this.tickets.state(ticketId);
    if (state.status === 'none') return 'no such ticket';
    if (!state.unsyncedReopens.has(revision)) return 'already reopened in Forgejo';
    if (state.forgejoIssueNumber === null) return 'waiting for the issue';
    const reopened = await this.tickets.eventAt(ticketId, revision);
    if (reopened?.type !== 'TicketReopened') throw new Error(`no TicketReopened at revision ${revision} of ticket ${ticketId}`);
    cause.event = reopened;
    const created = await this.tickets.created(ticketId);
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

  /** The one CommentAdded event, read at its revision (the whole stream only when the state knows no revision). */
  private async commentAdded(ticketId: string, commentId: string, revision: number): Promise<RecordedEvent> {
    const isIt = (event: RecordedEvent) => event.type === 'CommentAdded' && event.data.commentId === commentId;
    if (revision >= 0) {
      const event = await this.tickets.eventAt(ticketId, revision);
      if (event && isIt(event)) return event;
    }
    const found = (await this.store.readStream(ticketStream(ticketId))).find(isIt);
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

  /** Runs one attempt; a permanent error, or a temporary one past FORGEJO_RETRY_FOR_S, is recorded and ends the job. */
  private async attempt(job: TicketJob, commentId: string | null, work: (cause: Cause) => Promise<string>): Promise<string> {
    const cause: Cause = { event: null };
    try {
      return await work(cause);
    } catch (error) {
      const permanent = error instanceof PermanentForgejoError;
      // does Forgejo answer at all? If not, the breaker opens and no job calls it until it does
      if (error instanceof TemporaryForgejoError && !this.breaker.isOpen && error.retryAfterMs === undefined) await this.breaker.failed();
      const retryingForMs = Date.now() - job.timestamp;
      const giveUp = permanent || retryingForMs >= this.config.forgejoRetryForS * 1000;
      this.logger.warn(
        { jobId: job.id, attempts: job.attemptsMade + 1, retryingForMs, reason: (error as Error).message, willRetry: !giveUp },
        'Forgejo sync failed',
      );
      if (giveUp) {
        // recorded first: if that fails, the job is not discarded and tries again
        await this.recordFailure(job, cause, error as Error, job.attemptsMade + 1, commentId);
        await job.discard();
      }
      throw error;
    }
  }

  private async recordFailure(job: TicketJob, cause: Cause, error: Error, attempts: number, commentId = job.data.commentId ?? null): Promise<void> {
    const data = { commentId, reason: error.message, attempts, now: new Date().toISOString() };
    await this.commands.execute(new RecordSyncFailure(job.data.ticketId, data, causedBy(cause.event, job.data.ticketId), BACKGROUND));
  }
}
