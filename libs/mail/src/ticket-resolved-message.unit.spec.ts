import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { describeSendError, singleLine, ticketResolvedEmail } from './index.js';
import { TicketResolvedMailSaga } from './ticket-resolved-mail.saga.js';
import { MAIL_QUEUE } from '../../queues/src/index.js';

const base = { ticketId: 't-1', title: 'Printer on fire', to: 'bob@example.com', from: 'support@example.com', eventId: 'e-1' };

describe('the resolved email (pure)', () => {
  it('names the ticket in the subject and says it was resolved, in text and HTML', () => {
    const email = ticketResolvedEmail(base);
    expect(email).toMatchObject({ from: 'support@example.com', to: 'bob@example.com', subject: 'Resolved: Printer on fire' });
    expect(email.text).toContain('Your support ticket "Printer on fire" has been resolved');
    expect(email.html).toContain('<strong>Printer on fire</strong> has been resolved');
    expect(email.messageId).toBe('<resolved.e-1@example.com>');
  });

  it('carries the reopen link in text and HTML when it has one', () => {
    const reopenUrl = 'https://desk.example.com/tickets/t-1/reopen?token=4.99.abc';
    const email = ticketResolvedEmail({ ...base, reopenUrl });
    expect(email.text).toContain(`reopen the ticket here (no sign-in needed):\n${reopenUrl}`);
    expect(email.html).toContain(`<a href="${reopenUrl}">reopen the ticket</a>`);
  });

  it('strips CR, LF and every other control character from the subject', () => {
    for (const evil of ['a\r\nBcc: x@evil.example', 'a\nBcc: x@evil.example', 'a\rBcc: x@evil.example', 'a\u0000\u0007\u001b\u007f\u0085\u2028\u2029Bcc: x@evil.example', 'a\t\tBcc: x@evil.example']) {
      const { subject } = ticketResolvedEmail({ ...base, title: evil });
      expect(subject).toBe('Resolved: a Bcc: x@evil.example');
      expect(subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
    }
    expect(ticketResolvedEmail({ ...base, title: '\r\n\t' }).subject).toBe('Resolved: (untitled)');
    expect(singleLine('  two\n\nlines  ')).toBe('two lines');
  });

  it('HTML-escapes the title in the HTML body only', () => {
    const email = ticketResolvedEmail({ ...base, title: `<script>alert("x")</script> & 'co'` });
    expect(email.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
    expect(email.html).not.toContain('<script>');
    expect(email.text).toContain(`<script>alert("x")</script> & 'co'`);
  });

  it('strips control characters and whitespace from the addresses', () => {
    const email = ticketResolvedEmail({ ...base, to: 'bob@example.com\r\nBcc: x@evil.example', from: ' support@example.com\n' });
    expect(email.to).toBe('bob@example.comBcc:x@evil.example');
    expect(email.to).not.toMatch(/[\r\n\s]/);
    expect(email.from).toBe('support@example.com');
  });

  it('describes a send error without the SMTP password', () => {
    const error = Object.assign(new Error('Invalid login for user:hunter2 (535)'), { code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' });
    const described = describeSendError(error, 'smtp://user:hunter2@mail.example.com:587');
    expect(described).toEqual({ reason: 'Invalid login for user:[redacted] (535)', code: 'EAUTH', responseCode: 535, command: 'AUTH PLAIN' });
  });
});

describe('the IssueClosed mail saga', () => {
  const event = (type: string, data: Record<string, unknown>): RecordedEvent => ({
    id: 'evt-9',
    type,
    data,
    metadata: { actor: { type: 'system' }, correlationId: 'c', causationId: 'c' },
    streamId: 'ticket-t-1',
    revision: 2,
    position: { commit: 1n, prepare: 1n },
    recordedAt: new Date(),
  });

  it('turns IssueClosed into one mail job whose id comes from the event', () => {
    const saga = new TicketResolvedMailSaga();
    expect(saga.react(event('IssueClosed', { ticketId: 't-1', issueNumber: 42 }))).toEqual([
      { queue: MAIL_QUEUE, name: 'ticket-resolved', jobId: 'mail:evt-9', data: { ticketId: 't-1', eventId: 'evt-9', revision: 2 } },
    ]);
    for (const type of ['TicketCreated', 'CommentAdded', 'ForgejoIssueLinked', 'NotificationSent']) {
      expect(saga.react(event(type, { ticketId: 't-1' }))).toEqual([]);
    }
  });
});
