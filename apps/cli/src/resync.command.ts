import { randomUUID } from 'node:crypto';
import type { Config } from '../../../libs/config/src/index.js';
import type { Actor } from '../../../libs/event-store/src/index.js';
import { commandMetadata, RequestResync } from '../../../libs/ticket-commands/src/index.js';
import { TicketRuleBroken } from '../../../libs/ticket-domain/src/index.js';
import { CommandFailed, line, ticketIdOrFail, type CliIo } from './io.js';

/**
 * Who the event log says caused what an operator does from this command line: an admin (it is an admin's act,
 * as POST /admin/tickets/:id/resync is), with `cli` where a route puts the admin's account id.
 */
export const CLI_ACTOR: Actor = { type: 'admin', id: 'cli' };

/** `resync <ticketId>`: the RequestResync command, through the apps' CommandBus; the worker's saga re-runs the failed syncs. */
export async function resync({ ticketId: given }: { ticketId: string }, config: Config, io: CliIo): Promise<number> {
  const ticketId = ticketIdOrFail(given);
  // Nest loads only for this command: the others start without it
  const [{ NestFactory }, { CommandBus }, { CliCommandsModule }] = await Promise.all([
    import('@nestjs/core'),
    import('@nestjs/cqrs'),
    import('./cli-commands.module.js'),
  ]);
  const app = await NestFactory.createApplicationContext(CliCommandsModule.forRoot(config), { logger: false });
  try {
    const metadata = commandMetadata({ actor: CLI_ACTOR, correlationId: randomUUID(), via: 'cli' });
    await app.get(CommandBus).execute(new RequestResync(ticketId, { now: new Date().toISOString() }, metadata, { waitForReadModels: false }));
  } catch (error) {
    if (error instanceof TicketRuleBroken && error.reason === 'not_found') throw new CommandFailed(`ticket ${ticketId} not found`);
    throw error;
  } finally {
    await app.close();
  }
  line(io.stdout, `resync requested for ticket ${ticketId}: the worker tries its failed Forgejo syncs again`);
  return 0;
}
