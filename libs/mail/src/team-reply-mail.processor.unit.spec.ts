import { describe, expect, it } from '@jest/globals';
import { TeamReplyMailProcessor } from './team-reply-mail.processor.js';
import { eventAt, readerOver } from './testing/reader-over.js';

const NOW = '2026-12-01T10:00:00.000Z';

function processorWith({ notified = false, removed = false } = {}) {
  const events = [
    eventAt(0, 'created', 'TicketCreated', { repo: 'desk', title: 'Printer', description: 'D', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW }),
    eventAt(1, 'linked', 'ForgejoIssueLinked', { issueNumber: 1, linkedAt: NOW }),
    eventAt(2, 'reply-1', 'TeamReplyAdded', { replyId: 'r1', forgejoCommentId: 7, body: 'Fixed.', authorName: 'Jane Doe', createdAt: NOW }),
    ...(notified ? [eventAt(3, 'sent-1', 'NotificationSent', { notificationFor: 'reply-1', to: 'c@example.com', sentAt: NOW })] : []),
    ...(removed ? [eventAt(3, 'removed-1', 'TeamReplyRemoved', { replyId: 'r1', forgejoCommentId: 7, removedAt: NOW })] : []),
  ];
  const { reader } = readerOver(events);
  const sent: { to: string; subject: string; text: string }[] = [];
  const recorded: unknown[] = [];
  const commands = { execute: async (command: unknown) => recorded.push(command) };
  const mailer = { send: async (email: { to: string; subject: string; text: string }) => sent.push(email), sends: true, describe: () => ({ reason: 'x' }) };
  const logger = { setContext: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined };
  const config = { mailFrom: 'support@example.com', baseUrl: 'https://desk.example.com' };
  const processor = new TeamReplyMailProcessor(config as never, reader, commands as never, mailer as never, logger as never);
  const job = (data: Record<string, unknown>) => ({ data, attemptsMade: 0, opts: { attempts: 3 } }) as never;
  return { processor, job, sent, recorded };
}

describe('the reply-mail job', () => {
  it('sends the reply to the owner once and records it', async () => {
    const { processor, job, sent, recorded } = processorWith();
    expect(await processor.teamReply(job({ ticketId: 't1', eventId: 'reply-1', revision: 2 }))).toBe('sent');
    expect(sent).toEqual([expect.objectContaining({ to: 'c@example.com', subject: 'Re: Printer', text: expect.stringContaining('Fixed.') })]);
    expect(recorded).toHaveLength(1);
  });

  it('sends nothing when already sent, when the reply was taken back, or for an event not at that revision', async () => {
    const done = processorWith({ notified: true });
    expect(await done.processor.teamReply(done.job({ ticketId: 't1', eventId: 'reply-1', revision: 2 }))).toBe('already sent');
    const removed = processorWith({ removed: true });
    expect(await removed.processor.teamReply(removed.job({ ticketId: 't1', eventId: 'reply-1', revision: 2 }))).toBe('reply removed');
    const wrong = processorWith();
    expect(await wrong.processor.teamReply(wrong.job({ ticketId: 't1', eventId: 'reply-1', revision: 1 }))).toBe('no such event');
    expect([...done.sent, ...removed.sent, ...wrong.sent]).toEqual([]);
    expect([...done.recorded, ...removed.recorded, ...wrong.recorded]).toEqual([]);
  });
});
