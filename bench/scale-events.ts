// bench:scale's log: tickets of 10 events each, shaped as the service writes them (libs/ticket-domain events,
// metadata from libs/ticket-commands command-metadata), COPY'd into the events table through psql in one go, with
// the decision-state rows the service keeps beside them.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { copyField } from '../libs/read-models/src/rebuild/copy-in.js';
import { SAVE_STATE_EVERY } from '../libs/ticket-commands/src/index.js';
import { evolve, initialTicketState, ticketStateToJson, type TicketEvent, type TicketState } from '../libs/ticket-domain/src/index.js';
import type { BenchDatabase } from './support.js';

export interface ScaleLog {
  tickets: number;
  /** the customer that owns every `ownerEvery`-th ticket */
  customerId: string;
  customerEmail: string;
  ownerEvery: number;
  repo: { slug: string; owner: string; name: string };
}

/** Minutes after its creation at which a ticket's events happen: each ticket's life spreads over a day of the log. */
const OFFSETS_MIN = [0, 1, 30, 31, 120, 121, 600, 601, 1440, 1441];
const OTHER_CUSTOMERS = 1000;
const DESCRIPTION = 'Exporting the monthly report stops after 1,000 rows; the rest of the rows never arrive. Steps: open Reports, choose Export, pick CSV.';

/** The issue number of ticket i (its Forgejo issue): i + 1. */
export const issueNumberOf = (i: number) => i + 1;

interface TicketIds {
  ticketId: string;
  ownerId: string;
  ownerEmail: string;
  requestId: string;
  created: string;
  commentId: string;
  replyId: string;
  reply: string;
  closed: string;
  deliveryId: string;
}

/** Event k (0…9) of ticket i, and its COPY line: stream_id, revision, event_id, type, data, metadata, recorded_at. */
function line(log: ScaleLog, i: number, k: number, ids: TicketIds, at: Date): { event: TicketEvent; text: string } {
  const t = ids.ticketId;
  const when = at.toISOString();
  const issueNumber = issueNumberOf(i);
  const customer = { actor: { type: 'customer', id: ids.ownerId }, correlationId: ids.requestId, via: 'api' };
  const job = (cause: string) => ({ actor: { type: 'system' }, correlationId: ids.requestId, causationId: cause, via: 'job' });
  const forgejo = { actor: { type: 'forgejo', login: 'alice' }, correlationId: ids.deliveryId, causationId: ids.deliveryId, via: 'webhook' };
  let eventId: string = randomUUID();
  let type: string;
  let data: Record<string, unknown>;
  let metadata: Record<string, unknown>;
  switch (k) {
    case 0:
      eventId = ids.created;
      type = 'TicketCreated';
      data = { ticketId: t, repo: log.repo.slug, title: `Export stops after 1,000 rows (#${i})`, description: DESCRIPTION, customerId: ids.ownerId, customerEmail: ids.ownerEmail, createdAt: when };
      metadata = { ...customer, causationId: randomUUID() };
      break;
    case 1:
      type = 'ForgejoIssueLinked';
      data = { ticketId: t, issueNumber, owner: log.repo.owner, name: log.repo.name, linkedAt: when };
      metadata = job(ids.created);
      break;
    case 2:
      type = 'CommentAdded';
      data = { ticketId: t, commentId: ids.commentId, body: 'It happens with every report of more than 1,000 rows, in Firefox and in Chrome.', authorId: ids.ownerId, authorEmail: ids.ownerEmail, createdAt: when };
      metadata = { ...customer, causationId: randomUUID() };
      break;
    case 3:
      type = 'ForgejoCommentLinked';
      data = { ticketId: t, commentId: ids.commentId, forgejoCommentId: 1_000_000 + i, linkedAt: when };
      metadata = job(randomUUID());
      break;
    case 4:
      eventId = ids.reply;
      type = 'TeamReplyAdded';
      data = { ticketId: t, replyId: ids.replyId, forgejoCommentId: 2_000_000 + i, body: 'Thanks! The fix is deployed; please try the export again.', authorName: 'Alice Smith', createdAt: when };
      metadata = forgejo;
      break;
    case 5:
      type = 'NotificationSent';
      data = { ticketId: t, notificationFor: ids.reply, to: ids.ownerEmail, sentAt: when };
      metadata = job(ids.reply);
      break;
    case 6:
      eventId = ids.closed;
      type = 'IssueClosed';
      data = { ticketId: t, issueNumber, closedBy: 'alice', deliveryId: ids.deliveryId, closedAt: when };
      metadata = forgejo;
      break;
    case 7:
      type = 'NotificationSent';
      data = { ticketId: t, notificationFor: ids.closed, to: ids.ownerEmail, sentAt: when };
      metadata = job(ids.closed);
      break;
    case 8:
      type = 'TicketReopened';
      data = { ticketId: t, reopenedBy: 'customer', closeRevision: 6, reopenedAt: when };
      metadata = { ...customer, causationId: randomUUID(), via: 'link' };
      break;
    default:
      type = 'ForgejoIssueReopened';
      data = { ticketId: t, reopenRevision: 8, forgejoCommentId: 3_000_000 + i, reopenedAt: when };
      metadata = job(randomUUID());
  }
  const text = `ticket-${t}\t${k}\t${eventId}\t${type}\t${copyField(JSON.stringify(data))}\t${copyField(JSON.stringify(metadata))}\t${when}\n`;
  return { event: { type, data } as TicketEvent, text };
}

/** COPYs `lines` into `table` through psql. */
async function copyInto(db: BenchDatabase, table: string, lines: AsyncIterable<string> | Iterable<string>): Promise<void> {
  const psql = spawn('psql', [db.url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${table} FROM STDIN`], { stdio: ['pipe', 'inherit', 'inherit'] });
  const exited = once(psql, 'exit');
  let chunk = '';
  for await (const text of lines) {
    chunk += text;
    if (chunk.length > 1 << 20) {
      if (!psql.stdin.write(chunk)) await once(psql.stdin, 'drain');
      chunk = '';
    }
  }
  psql.stdin.end(chunk);
  const [code] = await exited;
  if (code !== 0) throw new Error(`psql COPY into ${table} exited ${code}`);
}

/**
 * COPYs `log.tickets` × 10 events into `db`'s events table in the order time would have written them (ticket i
 * created at minute i, its later events interleaved with the tickets created meanwhile). Returns the ids of the
 * tickets in order.
 */
export async function copyScaleLog(db: BenchDatabase, log: ScaleLog): Promise<string[]> {
  const others = Array.from({ length: OTHER_CUSTOMERS }, (_, n) => ({ id: randomUUID(), email: `customer${n}@example.com` }));
  const ids: TicketIds[] = Array.from({ length: log.tickets }, (_, i) => {
    const owner = i % log.ownerEvery === 0 ? { id: log.customerId, email: log.customerEmail } : others[i % OTHER_CUSTOMERS];
    return {
      ticketId: randomUUID(),
      ownerId: owner.id,
      ownerEmail: owner.email,
      requestId: randomUUID(),
      created: randomUUID(),
      commentId: randomUUID(),
      replyId: randomUUID(),
      reply: randomUUID(),
      closed: randomUUID(),
      deliveryId: randomUUID(),
    };
  });
  // the row a ticket's commands leave beside its stream: written by the command whose append brings SAVE_STATE_EVERY
  // events after the last row (none, for a new ticket), so here the state after its first SAVE_STATE_EVERY events
  const saved: TicketState[] = ids.map(() => initialTicketState);
  const start = Date.now() - (log.tickets + OFFSETS_MIN[OFFSETS_MIN.length - 1] + 60) * 60_000;
  function* events(): Generator<string> {
    for (let minute = 0; minute < log.tickets + OFFSETS_MIN[OFFSETS_MIN.length - 1]; minute++) {
      for (let k = 0; k < OFFSETS_MIN.length; k++) {
        const i = minute - OFFSETS_MIN[k];
        if (i < 0 || i >= log.tickets) continue;
        const { event, text } = line(log, i, k, ids[i], new Date(start + minute * 60_000 + k * 1000));
        if (k < SAVE_STATE_EVERY) saved[i] = evolve(saved[i], event, k);
        yield text;
      }
    }
  }
  await copyInto(db, 'events (stream_id, revision, event_id, type, data, metadata, recorded_at)', events());
  const now = new Date().toISOString();
  await copyInto(
    db,
    'ticket_decision_state (ticket_id, revision, state, updated_at)',
    ids.map((t, i) => `${t.ticketId}\t${SAVE_STATE_EVERY - 1}\t${copyField(JSON.stringify({ ...ticketStateToJson(saved[i]), position: null }))}\t${now}\n`),
  );
  await db.pool.query('VACUUM ANALYZE events');
  await db.pool.query('VACUUM ANALYZE ticket_decision_state');
  // readers see the log below the oldest transaction still running anywhere on the server: wait for the COPY's to pass
  for (let i = 0; i < 1200; i++) {
    const { rows } = await db.pool.query<{ visible: boolean }>('SELECT pg_snapshot_xmin(pg_current_snapshot()) > (SELECT max(transaction_id) FROM events) AS visible');
    if (rows[0].visible) break;
    await sleep(50);
  }
  return ids.map((t) => t.ticketId);
}
