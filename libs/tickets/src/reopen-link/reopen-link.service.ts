import { Injectable } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { checkReopenLink, REOPEN_LINK_KEY, ServiceKeys } from '../../../auth/src/reopen-links/index.js';
import { commandMetadata, ReopenTicket, TicketReader } from '../../../ticket-commands/src/index.js';
import { TicketRuleBroken } from '../../../ticket-domain/src/index.js';
import { confirmPage, expiredLinkPage, invalidLinkPage, reopenedPage, usedLinkPage, type ReopenLinkPage } from './reopen-link.page.js';

/**
 * The reopen link of a resolved email: the token names the ticket's close it was made for; a GET only looks
 * (which page to show), a POST reopens through ReopenTicket bound to that close, so a second use finds the
 * close gone and is refused.
 */
@Injectable()
export class ReopenLinks {
  constructor(
    private readonly keys: ServiceKeys,
    private readonly tickets: TicketReader,
    private readonly commands: CommandBus,
  ) {}

  /** GET: never changes anything. */
  async look(ticketId: string, token: unknown): Promise<ReopenLinkPage> {
    const check = await this.check(ticketId, token);
    if (!check.ok) return check.page;
    const state = await this.tickets.state(ticketId);
    if (state.status !== 'closed' || state.closedAtRevision !== check.closeRevision) return usedLinkPage();
    return confirmPage(ticketId, await this.titleOf(ticketId), token as string);
  }

  /** POST: reopens the ticket, once. */
  async reopen(ticketId: string, token: unknown, requestId: string): Promise<ReopenLinkPage> {
    const check = await this.check(ticketId, token);
    if (!check.ok) return check.page;
    const state = await this.tickets.state(ticketId);
    if (state.status === 'none') return invalidLinkPage();
    // whoever holds the link acts as the ticket's customer: the email went to them alone
    const metadata = commandMetadata({ actor: { type: 'customer', id: state.ownerId }, correlationId: requestId, via: 'api' });
    const data = { by: 'customer' as const, closeRevision: check.closeRevision, now: new Date().toISOString() };
    try {
      await this.commands.execute(new ReopenTicket(ticketId, data, metadata));
    } catch (error) {
      if (error instanceof TicketRuleBroken && (error.reason === 'stale_link' || error.reason === 'not_closed')) return usedLinkPage();
      throw error;
    }
    return reopenedPage(await this.titleOf(ticketId));
  }

  private async check(ticketId: string, token: unknown): Promise<{ ok: true; closeRevision: number } | { ok: false; page: ReopenLinkPage }> {
    const check = checkReopenLink(await this.keys.key(REOPEN_LINK_KEY), ticketId, token);
    if (check.ok) return { ok: true, closeRevision: check.claims.closeRevision };
    return { ok: false, page: check.reason === 'expired' ? expiredLinkPage() : invalidLinkPage() };
  }

  private async titleOf(ticketId: string): Promise<string> {
    return ((await this.tickets.created(ticketId))?.data.title as string | undefined) ?? 'your ticket';
  }
}
