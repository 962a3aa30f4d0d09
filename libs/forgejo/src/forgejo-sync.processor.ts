import { Process, Processor } from '@nestjs/bull';
import type { Job } from 'bull';
import { PinoLogger } from 'nestjs-pino';
import type { EventMetadata, RecordedEvent } from '../../event-store/src/index.js';
import { FORGEJO_QUEUE } from '../../queues/src/index.js';
import { ReposRepository } from '../../repos/src/index.js';
import { foldTicket, TicketCommandRunner, type TicketCommand, type TicketEvent } from '../../tickets/src/index.js';
import { ForgejoClient } from './forgejo-client.js';
import { PermanentForgejoError } from './forgejo-errors.js';
import { CREATE_COMMENT, CREATE_ISSUE } from './forgejo-sagas.js';
import { commentBody, commentMarker, issueBody, issueMarker } from './issue-bodies.js';

// enough for 20 issues in flight at once against a slow Forgejo
const CONCURRENCY = 20;

type TicketJob = Job<{ ticketId: string; commentId?: string }>;

/**
 * Creates the issue or comment a job stands for, at most once: it reads the stream first and does nothing when the
 * link is recorded; after an unclear earlier attempt it looks in Forgejo for the marked issue before creating one.
 */
@Processor(FORGEJO_QUEUE)
export class ForgejoSyncProcessor {
  constructor(
    private readonly forgejo: ForgejoClient,
    private readonly tickets: TicketCommandRunner,
    private readonly repos: ReposRepository,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoSync');
  }

  @Process({ name: CREATE_ISSUE, concurrency: CONCURRENCY })
  async createIssue(job: TicketJob): Promise<string> {
    const { ticketId } = job.data;
    const history = await this.tickets.history(ticketId);
    const state = foldTicket(history);
    if (state.status === 'none') return 'no such ticket';
    if (state.forgejoIssueNumber !== null) return `already linked to #${state.forgejoIssueNumber}`;
    const created = history[0];
    const ticket = created.data as Extract<TicketEvent, { type: 'TicketCreated' }>['data'];
    return this.attempt(job, created, null, async () => {
      const repo = await this.repos.findBySlug(ticket.repo);
      if (!repo) throw new PermanentForgejoError(`repo "${ticket.repo}" no longer exists`, 404);
      const since = new Date(Date.parse(ticket.createdAt) - 60_000);
      const issue =
        ((await this.triedBefore(job)) && (await this.forgejo.findIssue(repo.owner, repo.name, issueMarker(ticketId), since))) ||
        (await this.forgejo.createIssue(repo.owner, repo.name, { title: ticket.title, body: issueBody(ticket.description, ticket.customerEmail, ticketId) }));
      await this.record(ticketId, created, {
        type: 'LinkForgejoIssue',
        data: { issueNumber: issue.number, owner: repo.owner, name: repo.name, now: new Date().toISOString() },
      });
      return `linked to #${issue.number}`;
    });
  }

  @Process({ name: CREATE_COMMENT, concurrency: CONCURRENCY })
  async createComment(job: TicketJob): Promise<string> {
    const { ticketId, commentId } = job.data as { ticketId: string; commentId: string };
    const history = await this.tickets.history(ticketId);
    const state = foldTicket(history);
    if (state.status === 'none' || !state.comments.has(commentId)) return 'no such comment';
    if (state.comments.get(commentId)!.forgejoCommentId !== null) return 'already linked';
    // sent once the issue exists: ForgejoIssueLinked brings this job back
    if (state.forgejoIssueNumber === null) return 'waiting for the issue';
    const issueNumber = state.forgejoIssueNumber;
    const added = history.find((e) => e.type === 'CommentAdded' && e.data.commentId === commentId)!;
    const comment = added.data as Extract<TicketEvent, { type: 'CommentAdded' }>['data'];
    const ticket = history[0].data as Extract<TicketEvent, { type: 'TicketCreated' }>['data'];
    return this.attempt(job, added, commentId, async () => {
      const repo = await this.repos.findBySlug(ticket.repo);
      if (!repo) throw new PermanentForgejoError(`repo "${ticket.repo}" no longer exists`, 404);
      const since = new Date(Date.parse(comment.createdAt) - 60_000);
      const created =
        ((await this.triedBefore(job)) && (await this.forgejo.findComment(repo.owner, repo.name, issueNumber, commentMarker(commentId), since))) ||
        (await this.forgejo.createComment(repo.owner, repo.name, issueNumber, commentBody(comment.body, comment.authorEmail, commentId)));
      await this.record(ticketId, added, {
        type: 'LinkForgejoComment',
        data: { commentId, forgejoCommentId: created.id, now: new Date().toISOString() },
      });
      return `linked to comment ${created.id}`;
    });
  }

  /** Runs one attempt; a permanent error, or the last attempt's, is recorded in the ticket's history. */
  private async attempt(job: TicketJob, cause: RecordedEvent, commentId: string | null, work: () => Promise<string>): Promise<string> {
    try {
      return await work();
    } catch (error) {
      const permanent = error instanceof PermanentForgejoError;
      const attempts = job.attemptsMade + 1;
      const lastAttempt = permanent || attempts >= (job.opts.attempts ?? 1);
      this.logger.warn({ jobId: job.id, attempts, reason: (error as Error).message, willRetry: !lastAttempt }, 'Forgejo sync failed');
      if (lastAttempt) {
        await this.record(job.data.ticketId, cause, {
          type: 'RecordSyncFailure',
          data: { commentId, reason: (error as Error).message, attempts, now: new Date().toISOString() },
        });
        if (permanent) await job.discard();
      }
      throw error;
    }
  }

  /** Whether an earlier run of this job may have reached Forgejo (a retry, or a run cut off by a crash). */
  private async triedBefore(job: TicketJob): Promise<boolean> {
    const tried = job.attemptsMade > 0 || Number(job.progress()) > 0;
    // marked before the call: a worker killed mid-request leaves this behind for the next one
    if (!tried) await job.progress(1);
    return tried;
  }

  private async record(ticketId: string, cause: RecordedEvent, command: TicketCommand): Promise<void> {
    const metadata: EventMetadata = { actor: { type: 'system' }, correlationId: cause.metadata.correlationId, causationId: cause.id };
    await this.tickets.run(ticketId, command, metadata, { waitForReadModels: false });
  }
}

