import { randomUUID } from 'node:crypto';
import { PinoLogger } from 'nestjs-pino';
import pino from 'pino';
import type { Config } from '../../../config/src/config.js';
import type { Actor, EventMetadata } from '../../../event-store/src/event-store.port.js';
import { ProjectionProgress } from '../../../projections/src/projection-progress.js';
import { TicketRuleBroken } from '../../../tickets/src/domain/ticket.decider.js';
import { TicketCommandRunner } from '../../../tickets/src/ticket-command-runner.js';
import { TicketDecisionStates } from '../../../tickets/src/ticket-decision-state.repository.js';
import { withInfrastructure } from './infrastructure.js';
import { CommandFailed, line, ticketIdOrFail, type CliIo } from './io.js';

/**
 * Who the event log says caused what an operator does from this command line: an admin (it is an admin's act,
 * as POST /admin/tickets/:id/resync is), with `cli` where a route puts the admin's account id.
 */
export const CLI_ACTOR: Actor = { type: 'admin', id: 'cli' };

/** `resync <ticketId>`: the RequestResync command; the worker's saga re-runs the failed Forgejo syncs. */
export async function resync({ ticketId: given }: { ticketId: string }, config: Config, io: CliIo): Promise<number> {
  const ticketId = ticketIdOrFail(given);
  return withInfrastructure(config, async ({ pool, store }) => {
    const logger = new PinoLogger({
      pinoHttp: [{ level: config.logLevel, base: { app: 'admin-cli' } }, pino.destination({ fd: 2, sync: true })],
    });
    // no projection runs here, and none is waited for (waitForReadModels: false)
    const runner = new TicketCommandRunner(store, new ProjectionProgress(pool, []), logger, new TicketDecisionStates(pool));
    const metadata: EventMetadata = { actor: CLI_ACTOR, correlationId: randomUUID(), causationId: randomUUID() };
    try {
      await runner.run(ticketId, { type: 'RequestResync', data: { now: new Date().toISOString() } }, metadata, { waitForReadModels: false });
    } catch (error) {
      if (error instanceof TicketRuleBroken && error.reason === 'not_found') throw new CommandFailed(`ticket ${ticketId} not found`);
      throw error;
    }
    line(io.stdout, `resync requested for ticket ${ticketId}: the worker tries its failed Forgejo syncs again`);
    return 0;
  });
}
