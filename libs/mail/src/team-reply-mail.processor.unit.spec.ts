import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { TeamReplyMailProcessor } from './team-reply-mail.processor.js';

const NOW = '2026-12-01T10:00:00.000Z';
const meta = { actor: { type: 'forgejo' as const, login: 'jdoe' }, correlationId: 'corr', causationId: 'cause' };
const at = (revision: number, id: string, type: string, data: Record<string, unknown>): RecordedEvent => ({
  id, type, data, metadata: meta, streamId: 'ticket-t1', revision, position: { commit: 1n, prepare: BigInt(revision) }, recordedAt: new Date(NOW),
});
const created = at(0, 'created', 'TicketCreated', { ticketId: 't1', repo: 'desk', title: 'Printer', description: 'D', customerId: 'c1', customerEmail: 'c@example.com', createdAt: NOW });
const added = at(2, 'reply-1', 'TeamReplyAdded', { ticketId: 't1', replyId: 'r1', forgejoCommentId: 7, body: 'Fixed.', authorName: 'Jane Doe', createdAt: NOW });

function processorWith({ notified = false, removed = false } = {}) {
  const sent: { to: string; subject: string; text: string }[] = [];
  const recorded: unknown[] = [];
  const events = [created, at(1, 'linked', 'ForgejoIssueLinked', { ticketId: 't1', issueNumber: 1, linkedAt: NOW }), added];
  const tickets = {
    created: async () => created,
    eventAt: async (_ticketId: string, revision: number) => events[revision] ?? null,
    state: async () => ({ status: 'open', notified: new Set(notified ? ['reply-1'] : []), replies: new Map([[7, { replyId: 'r1', removed }]]) }),
  };
  const commands = { execute: async (command: unknown) => recorded.push(command) };
  const mailer = { send: async (email: { to: string; subject: string; text: string }) => sent.push(email), sends: true, describe: () => ({ reason: 'x' }) };
  const logger = { setContext: () => undefined, warn: () => undefined, info: () => undefined, error: () => undefined };
  const config = { mailFrom: 'support@example.com', baseUrl: 'https://desk.example.com' };
  const processor = new TeamReplyMailProcessor(config as never, tickets as never, commands as never, mailer as never, logger as never);
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
