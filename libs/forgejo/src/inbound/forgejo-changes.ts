import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { PinoLogger } from 'nestjs-pino';
import { TicketByIssueQuery } from '../../../read-models/src/index.js';
import { commandMetadata, toMessage, type Via } from '../../../ticket-commands/src/index.js';
import type { Actor } from '../../../event-store/src/index.js';
import { TicketRuleBroken } from '../../../ticket-domain/src/index.js';
import { inboundCommandOf, type ChangeContext, type ForgejoChange } from './forgejo-change.js';

export interface ChangeSource {
  /** how it came in: a webhook delivery, or reconcile reading Forgejo back */
  via: Extract<Via, 'webhook' | 'reconcile'>;
  deliveryId: string | null;
  /** what ties the change's events together: the delivery id, else the request's (or the pass's) id */
  correlationId: string;
  replyMode: ChangeContext['replyMode'];
}

/**
 * Applies one Forgejo change to the slug's ticket it concerns, through the one table (forgejo-change.ts) and the
 * CommandBus, and answers what happened; the change is visible to a GET before this returns.
 */
@Injectable()
export class ForgejoChanges {
  constructor(
    private readonly tickets: TicketByIssueQuery,
    private readonly commands: CommandBus,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ForgejoChanges');
  }

  async apply(slug: string, change: ForgejoChange, source: ChangeSource): Promise<string> {
    const ticket = await this.tickets.find(slug, change.repository, change.issueNumber);
    // an org-wide hook's delivery from a repository none of the slug's tickets live in: not ours
    if (!ticket) return (await this.tickets.isKnown(slug, change.repository)) ? 'not_found' : 'ignored';
    const inbound = inboundCommandOf(change, { replyMode: source.replyMode, deliveryId: source.deliveryId, newId: randomUUID(), now: new Date().toISOString() });
    if (!inbound) return 'ignored';
    const actor: Actor = change.login === null ? { type: 'forgejo' } : { type: 'forgejo', login: change.login };
    const metadata = commandMetadata({ actor, correlationId: source.correlationId, causationId: source.deliveryId ?? undefined, via: source.via });
    try {
      const outcome = await this.commands.execute(toMessage(ticket.id, inbound.command, metadata));
      // the runner answers once the read models show the event
      if (outcome.events.length > 0) return inbound.changed;
    } catch (error) {
      // the read model's link and the stream disagree (cannot happen short of a rebuild in flight): not this ticket
      if (error instanceof TicketRuleBroken) {
        this.logger.warn({ slug, issueNumber: change.issueNumber, ticketId: ticket.id, reason: error.message }, 'Forgejo change does not match its ticket');
        return 'not_found';
      }
      throw error;
    }
    // changed nothing (another delivery, or the link's own look at the issue, did it a moment ago): the runner
    // answered once the read models show what it decided on
    return inbound.unchanged;
  }
}
