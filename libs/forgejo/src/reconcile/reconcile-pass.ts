import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type pg from 'pg';
import { PG_POOL } from '../../../database/src/index.js';
import { ReconcileQueries, type LinkedRepository } from '../../../read-models/src/index.js';
import { ReposRepository } from '../../../repos/src/repos.repository.js';
import { TicketReader } from '../../../ticket-commands/src/index.js';
import { ForgejoClient, type ForgejoListedComment, type ForgejoListedIssue, type ListWindow } from '../client/forgejo-client.js';
import { PermanentForgejoError } from '../client/forgejo-errors.js';
import { ForgejoChanges } from '../inbound/forgejo-changes.js';
import type { ReplyMode } from '../inbound/reply-text.js';
import { issueNumberOfComment, missedChanges, type MissedChange } from './changes-of-lists.js';
import { ReconcileProgress } from './reconcile-progress.js';
import { ReplyDeletions } from './reply-deletions.js';

/** Forgejo's largest page; one window reads at most MAX_PAGES of each list. */
export const PAGE_LIMIT = 50;
export const MAX_PAGES = 20;
/** What one pass may ask of Forgejo per repository: a backlog (a first look, a long outage) takes a few passes. */
export const REQUESTS_PER_LOOK = 200;
/** Each look starts this much before the last one began: Forgejo's clock and ours need not agree. */
export const OVERLAP_MS = 60_000;
// Forgejo keeps times in whole seconds: a narrower window cannot hold fewer changes
const NARROWEST_WINDOW_MS = 2000;

const APPLIED = new Set(['closed', 'reopened', 'reply', 'reply_edited', 'reply_removed']);

export interface RepositoryLook {
  key: string;
  requests: number;
  changes: number;
  applied: number;
  /** false when the backlog was more than one pass reads: the progress kept says where the next pass goes on */
  complete: boolean;
}

interface Window {
  issues: ForgejoListedIssue[];
  comments: ForgejoListedComment[];
  /** the team replies whose comments are gone from the window's issues */
  deletions: MissedChange[];
  requests: number;
  complete: boolean;
}

/**
 * One reconcile pass over the repositories holding linked tickets: read what changed in Forgejo since the last
 * complete look, and apply what the read model does not show through ForgejoChanges, as a webhook would have
 * (via 'reconcile'), deleted replies included (reply-deletions.ts). Applying twice changes nothing (the decider is
 * idempotent), so overlapping looks are safe. More changes than a window's pages (or its issues to ask for their
 * comments): the window is halved (`before`) until they fit, and the look goes on window by window, its progress
 * recorded after each.
 */
@Injectable()
export class ReconcilePass {
  private readonly progress: ReconcileProgress;

  constructor(
    @Inject(PG_POOL) pool: pg.Pool,
    private readonly client: ForgejoClient,
    private readonly queries: ReconcileQueries,
    private readonly repos: ReposRepository,
    private readonly reader: TicketReader,
    private readonly changes: ForgejoChanges,
    private readonly deletions: ReplyDeletions,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoReconcile');
    this.progress = new ReconcileProgress(pool);
  }

  /** Every repository holding linked tickets, or only those whose keys are given. Throws when Forgejo or the database fails. */
  async run(only?: Set<string>): Promise<RepositoryLook[]> {
    const passId = randomUUID();
    const repositories = (await this.queries.linkedRepositories()).filter((repository) => !only || only.has(repository.key));
    const progress = await this.progress.sinceOf(repositories.map((repository) => repository.key));
    const looks: RepositoryLook[] = [];
    for (const repository of repositories) {
      try {
        looks.push(await this.look(repository, progress.get(repository.key) ?? repository.firstCreatedAt, passId));
      } catch (error) {
        // this repository is gone or out of the token's reach: the others are still looked at
        if (!(error instanceof PermanentForgejoError)) throw error;
        this.logger.warn({ repository: repository.key, reason: error.message }, 'reconcile cannot read this repository; skipped');
      }
    }
    return looks;
  }

  private async look(repository: LinkedRepository, lastLook: Date, passId: string): Promise<RepositoryLook> {
    const startedAt = new Date();
    const look: RepositoryLook = { key: repository.key, requests: 0, changes: 0, applied: 0, complete: false };
    // no `before`: up to now
    let window: ListWindow = { since: new Date(lastLook.getTime() - OVERLAP_MS) };
    while (look.requests < REQUESTS_PER_LOOK) {
      const end = (window.before ?? startedAt).getTime();
      const since = window.since.getTime();
      const narrowest = end - since <= NARROWEST_WINDOW_MS;
      const read = await this.read(repository, window, REQUESTS_PER_LOOK - look.requests, narrowest);
      look.requests += read.requests;
      if (!read.complete) {
        if (narrowest) break;
        window = { since: window.since, before: new Date(since + (end - since) / 2) };
        continue;
      }
      const { changes, applied } = await this.apply(repository, read, passId);
      look.changes += changes;
      look.applied += applied;
      await this.progress.record(repository, window.before ?? startedAt);
      if (!window.before) return { ...look, complete: true };
      // the next window from where this one ended (a second back: Forgejo's `before` and `since` in whole seconds)
      window = { since: new Date(window.before.getTime() - 1000) };
    }
    this.logger.warn({ repository: repository.key, since: window.since }, 'more changes in Forgejo than one pass reads: the next pass goes on from here');
    return look;
  }

  /**
   * Both lists of one window, at most MAX_PAGES each, then the deleted replies of its issues, in `budget` requests
   * in all; incomplete when a list had more, or its issues to ask do not fit. In a window no narrower can be read,
   * with half a pass's budget still in hand (a later pass could not ask about many more), those that fit are asked.
   */
  private async read(repository: LinkedRepository, window: ListWindow, budget: number, narrowest: boolean): Promise<Window> {
    const { owner, name } = repository;
    const maxPages = Math.min(MAX_PAGES, Math.max(1, Math.floor(budget / 2)));
    const issues = await this.pages(maxPages, (page) => this.client.listIssuesSince(owner, name, window, page, PAGE_LIMIT));
    const incomplete = (requests: number): Window => ({ issues: [], comments: [], deletions: [], requests, complete: false });
    if (!issues.complete) return incomplete(issues.requests);
    const comments = await this.pages(maxPages, (page) => this.client.listCommentsSince(owner, name, window, page, PAGE_LIMIT));
    const listed = issues.requests + comments.requests;
    if (!comments.complete) return incomplete(listed);
    const leaveOut = narrowest && budget - listed >= REQUESTS_PER_LOOK / 2;
    const deletions = await this.deletions.find(repository, issues.items, budget - listed, leaveOut);
    if (!deletions.complete) return incomplete(listed);
    return { issues: issues.items, comments: comments.items, deletions: deletions.changes, requests: listed + deletions.requests, complete: true };
  }

  /** Applies what a window shows that the read model does not; the changes found and those that changed a ticket. */
  private async apply(repository: LinkedRepository, { issues, comments, deletions }: Window, passId: string): Promise<{ changes: number; applied: number }> {
    const numbers = new Set<number | null>([...issues.map((issue) => issue.number), ...comments.map(issueNumberOfComment)]);
    numbers.delete(null);
    const tickets = await this.queries.ticketsOfIssues(repository, [...numbers] as number[]);
    const known = await this.queries.knownComments(tickets.map((ticket) => ticket.id), comments.map((comment) => comment.id));
    const closedIssues = new Set(issues.filter((issue) => issue.state === 'closed').map((issue) => issue.number));
    const reopensOwed = new Set<string>();
    for (const ticket of tickets) {
      if (ticket.status !== 'open' || !closedIssues.has(ticket.issueNumber)) continue;
      const state = await this.reader.state(ticket.id);
      if (state.status !== 'none' && state.unsyncedReopens.size > 0) reopensOwed.add(ticket.id);
    }
    const replyModes = new Map<string, ReplyMode>();
    for (const slug of new Set(tickets.map((ticket) => ticket.slug))) replyModes.set(slug, await this.repos.replyModeOf(slug));

    const missed = [...missedChanges({ owner: repository.owner, name: repository.name }, issues, comments, { tickets, comments: known, reopensOwed, replyModes }), ...deletions].sort(
      (a, b) => Date.parse(a.at) - Date.parse(b.at),
    );
    let applied = 0;
    for (const { slug, change } of missed) {
      const result = await this.changes.apply(slug, change, { via: 'reconcile', deliveryId: null, correlationId: passId, replyMode: replyModes.get(slug) ?? 'marked' });
      if (APPLIED.has(result)) applied++;
      this.logger.info({ repository: repository.key, issueNumber: change.issueNumber, change: `${change.kind}/${change.action}`, result, passId }, 'reconcile applied a missed change');
    }
    return { changes: missed.length, applied };
  }

  private async pages<T>(maxPages: number, read: (page: number) => Promise<T[]>): Promise<{ items: T[]; requests: number; complete: boolean }> {
    const items: T[] = [];
    for (let page = 1; page <= maxPages; page++) {
      const batch = await read(page);
      items.push(...batch);
      if (batch.length < PAGE_LIMIT) return { items, requests: page, complete: true };
    }
    return { items, requests: maxPages, complete: false };
  }
}
