import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { MailProcessor } from './mail.processor.js';
import { eventAt, readerOver } from './testing/reader-over.js';

const NOW = '2026-11-28T10:00:00.000Z';

/** A ticket stream of TicketCreated, `comments` CommentAdded, then IssueClosed (id `closed-1`), perhaps its NotificationSent. */
function ticketStream(comments: number, { notified = false } = {}): RecordedEvent[] {
  const closedAt = comments + 1;
  return [
    eventAt(0, 'created', 'TicketCreated', { repo: 'desk', title: 'Printer', description: 'D', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW }),
    ...Array.from({ length: comments }, (_, i) =>
      eventAt(i + 1, `m${i}`, 'CommentAdded', { commentId: `m${i}`, body: 'x', authorId: 'c1', authorEmail: 'c@example.com', createdAt: NOW })),
    eventAt(closedAt, 'closed-1', 'IssueClosed', { issueNumber: 1, closedBy: null, deliveryId: null, closedAt: NOW }),
    ...(notified ? [eventAt(closedAt + 1, 'sent-1', 'NotificationSent', { notificationFor: 'closed-1', to: 'c@example.com', sentAt: NOW })] : []),
  ];
}

function processorOver(events: RecordedEvent[], saved?: { savedUpTo: number }) {
  const { reader, reads } = readerOver(events, saved);
  const sent: string[] = [];
  const recorded: unknown[] = [];
  const commands = { execute: async (command: unknown) => recorded.push(command) };
  const mailer = { send: async (email: { to: string }) => sent.push(email.to), sends: true, describe: () => ({ reason: 'x' }) };
  const logger = { setContext: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined };
  const keys = { key: async () => Buffer.alloc(32, 7) };
  const config = { mailFrom: 'support@example.com', baseUrl: 'https://desk.example.com' };
  const processor = new MailProcessor(config as never, reader, commands as never, mailer as never, logger as never, keys as never);
  const job = (data: Record<string, unknown>) => ({ data, attemptsMade: 0, opts: { attempts: 3 } }) as never;
  return { processor, job, reads, sent, recorded };
}

describe('the resolved-mail job', () => {
  it('reads the decision state, the TicketCreated event and the IssueClosed at its revision, never the comments', async () => {
    const { processor, job, reads, sent, recorded } = processorOver(ticketStream(1000));
    expect(await processor.ticketResolved(job({ ticketId: 't1', eventId: 'closed-1', revision: 1001 }))).toBe('sent');
    expect(sent).toEqual(['c@example.com']);
    expect(recorded).toHaveLength(1);
    // the two events at their revisions, and the stream after the decision state (nothing)
    expect(reads).toHaveLength(3);
    expect(reads).toEqual(expect.arrayContaining([{ fromRevision: 0, maxCount: 1 }, { fromRevision: 1001, maxCount: 1 }, { fromRevision: 1002, maxCount: 50 }]));
  });

  it('takes both events from the one read of a new ticket\'s stream', async () => {
    const { processor, job, reads, sent } = processorOver(ticketStream(2), { savedUpTo: -1 });
    expect(await processor.ticketResolved(job({ ticketId: 't1', eventId: 'closed-1', revision: 3 }))).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(reads).toEqual([{ fromRevision: 0, maxCount: 50 }]);
  });

  it('still finds the event of a job queued before jobs carried its revision, a page at a time', async () => {
    const { processor, job, reads, sent } = processorOver(ticketStream(120));
    expect(await processor.ticketResolved(job({ ticketId: 't1', eventId: 'closed-1' }))).toBe('sent');
    expect(sent).toHaveLength(1);
    expect(reads.every((r) => r.maxCount !== undefined && r.maxCount <= 50)).toBe(true);
  });

  it('sends nothing when the notification is already recorded, or the event is not in the stream', async () => {
    const done = processorOver(ticketStream(3, { notified: true }));
    expect(await done.processor.ticketResolved(done.job({ ticketId: 't1', eventId: 'closed-1', revision: 4 }))).toBe('already sent');
    expect(done.sent).toEqual([]);
    const unknown = processorOver(ticketStream(3));
    expect(await unknown.processor.ticketResolved(unknown.job({ ticketId: 't1', eventId: 'nope', revision: 2 }))).toBe('no such event');
    expect(unknown.sent).toEqual([]);
  });
});
