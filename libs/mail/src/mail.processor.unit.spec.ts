import { describe, expect, it } from '@jest/globals';
import type { EventStore, ReadStreamOptions, RecordedEvent } from '../../event-store/src/index.js';
import { foldTicket } from '../../ticket-domain/src/ticket.decider.js';
import { MailProcessor } from './mail.processor.js';

const NOW = '2026-11-28T10:00:00.000Z';
const meta = { actor: { type: 'system' as const }, correlationId: 'corr', causationId: 'cause' };

/** A ticket stream of TicketCreated, `comments` CommentAdded, then IssueClosed (id `closed-1`). */
function ticketStream(comments: number): RecordedEvent[] {
  const at = (revision: number, id: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
    id, type, data, metadata: meta, streamId: 'ticket-t1', revision, position: { commit: 1n, prepare: BigInt(revision) }, recordedAt: new Date(NOW),
  });
  return [
    at(0, 'created', 'TicketCreated', { ticketId: 't1', repo: 'desk', title: 'Printer', description: 'D', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW }),
    ...Array.from({ length: comments }, (_, i) =>
      at(i + 1, `m${i}`, 'CommentAdded', { ticketId: 't1', commentId: `m${i}`, body: 'x', authorId: 'c1', authorEmail: 'c@example.com', createdAt: NOW })),
    at(comments + 1, 'closed-1', 'IssueClosed', { ticketId: 't1', issueNumber: 1, closedBy: null, deliveryId: null, closedAt: NOW }),
  ];
}

function processorOver(events: RecordedEvent[], { notified = false } = {}) {
  const reads: ReadStreamOptions[] = [];
  const store = {
    readStream: async (_stream: string, options: ReadStreamOptions = {}) => {
      reads.push(options);
      const from = options.fromRevision ?? 0;
      return events.filter((e) => e.revision >= from).slice(0, options.maxCount ?? Infinity);
    },
  } as unknown as EventStore;
  const sent: string[] = [];
  const recorded: unknown[] = [];
  const tickets = {
    state: async () => {
      const state = foldTicket(events);
      return notified && state.status !== 'none' ? { ...state, notified: new Set(['closed-1']) } : state;
    },
    // the reader's bounded reads, over the fake store
    eventAt: async (_id: string, revision: number) => (await store.readStream('ticket-t1', { fromRevision: revision, maxCount: 1 }))[0] ?? null,
    created: async () => {
      const [first] = await store.readStream('ticket-t1', { fromRevision: 0, maxCount: 1 });
      return first?.type === 'TicketCreated' ? first : null;
    },
  };
  const commands = { execute: async (command: unknown) => recorded.push(command) };
  const mailer = { send: async (email: { to: string }) => sent.push(email.to), sends: true, describe: () => ({ reason: 'x' }) };
  const logger = { setContext: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined };
  const keys = { key: async () => Buffer.alloc(32, 7) };
  const config = { mailFrom: 'support@example.com', baseUrl: 'https://desk.example.com' };
  const processor = new MailProcessor(store, config as never, tickets as never, commands as never, mailer as never, logger as never, keys as never);
  const job = (data: Record<string, unknown>) => ({ data, attemptsMade: 0, opts: { attempts: 3 } }) as never;
  return { processor, job, reads, sent, recorded };
}

describe('the resolved-mail job', () => {
  it('reads only the TicketCreated event and the IssueClosed at its revision', async () => {
    const events = ticketStream(1000);
    const { processor, job, reads, sent, recorded } = processorOver(events);
    expect(await processor.ticketResolved(job({ ticketId: 't1', eventId: 'closed-1', revision: 1001 }))).toBe('sent');
    expect(sent).toEqual(['c@example.com']);
    expect(recorded).toHaveLength(1);
    expect(reads).toEqual([{ fromRevision: 0, maxCount: 1 }, { fromRevision: 1001, maxCount: 1 }]);
  });

  it('still finds the event of a job queued before jobs carried its revision, a page at a time', async () => {
    const { processor, job, reads, sent } = processorOver(ticketStream(120));
    expect(await processor.ticketResolved(job({ ticketId: 't1', eventId: 'closed-1' }))).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(reads.every((r) => r.maxCount !== undefined && r.maxCount <= 50)).toBe(true);
  });

  it('sends nothing when the notification is already recorded, or the event is not in the stream', async () => {
    const done = processorOver(ticketStream(3), { notified: true });
    expect(await done.processor.ticketResolved(done.job({ ticketId: 't1', eventId: 'closed-1', revision: 4 }))).toBe('already sent');
    expect(done.sent).toEqual([]);
    const unknown = processorOver(ticketStream(3));
    expect(await unknown.processor.ticketResolved(unknown.job({ ticketId: 't1', eventId: 'nope', revision: 2 }))).toBe('no such event');
    expect(unknown.sent).toEqual([]);
  });
});
