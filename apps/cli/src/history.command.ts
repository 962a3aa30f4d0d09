import type { Config } from '../../../libs/config/src/index.js';
import type { Actor } from '../../../libs/event-store/src/index.js';
import { type HistoryEvent, ticketHistory } from '../../../libs/admin/src/index.js';
import { withInfrastructure } from './infrastructure.js';
import { CommandFailed, line, ticketIdOrFail, type CliIo } from './io.js';

/** `history <ticketId> [--json]`: the stream as readable lines, or as GET /admin/tickets/:id/history answers it. */
export async function history({ ticketId: given, json }: { ticketId: string; json: boolean }, config: Config, io: CliIo): Promise<number> {
  const ticketId = ticketIdOrFail(given);
  return withInfrastructure(config, async ({ store }) => {
    const found = await ticketHistory(store, ticketId);
    if (!found) throw new CommandFailed(`ticket ${ticketId} not found`);
    if (json) line(io.stdout, JSON.stringify(found, null, 2));
    else {
      line(io.stdout, `ticket ${ticketId}: ${found.events.length} event${found.events.length === 1 ? '' : 's'}`);
      for (const event of found.events) line(io.stdout, describeEvent(event));
    }
    return 0;
  });
}

function describeActor(actor: Actor | undefined): string {
  switch (actor?.type) {
    case 'customer':
    case 'admin':
      return `${actor.type} ${actor.id}`;
    case 'forgejo':
      return actor.login ? `forgejo user ${actor.login}` : 'forgejo';
    case 'system':
      return 'system';
    default:
      return JSON.stringify(actor ?? null);
  }
}

/** One event as three lines: revision, time, type and who; its id and the correlation ids; its data. */
export function describeEvent(event: HistoryEvent): string {
  const { actor, correlationId, causationId, ...more } = event.metadata;
  const extra = Object.keys(more).length ? `  metadata ${JSON.stringify(more)}` : '';
  return (
    `#${event.revision}  ${event.recordedAt}  ${event.type}  by ${describeActor(actor)}\n` +
    `    event ${event.id}  correlation ${correlationId}  causation ${causationId}${extra}\n` +
    `    ${JSON.stringify(event.data)}`
  );
}
