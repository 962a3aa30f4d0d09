import { describe, expect, it } from '@jest/globals';
import type { RecordedEvent } from '../../event-store/src/index.js';
import { MAIL_QUEUE } from '../../queues/src/index.js';
import { teamReplyEmail } from './index.js';
import { TeamReplyMailSaga } from './team-reply-mail.saga.js';

const base = {
  ticketId: 't-1', title: 'Printer on fire', to: 'bob@example.com', from: 'support@example.com', baseUrl: 'https://desk.example.com',
  body: 'It is fixed.\n\n<b>Really</b>.', authorName: 'Jane Doe', eventId: 'e-1',
};

describe('the reply email (pure)', () => {
  it('answers the ticket by its title, carries the reply and the link to the ticket page', () => {
    const email = teamReplyEmail(base);
    expect(email).toMatchObject({ from: 'support@example.com', to: 'bob@example.com', subject: 'Re: Printer on fire', messageId: '<reply.e-1@example.com>' });
    expect(email.text).toContain('It is fixed.\n\n<b>Really</b>.');
    expect(email.text).toContain('Jane Doe replied');
    expect(email.text).toContain('https://desk.example.com/app/tickets/t-1');
    expect(email.html).toContain('&lt;b&gt;Really&lt;/b&gt;');
    expect(email.html).not.toContain('<b>Really');
    expect(email.html).toContain('href="https://desk.example.com/app/tickets/t-1"');
  });

  it('keeps control characters out of the subject', () => {
    expect(teamReplyEmail({ ...base, title: 'a\r\nBcc: x@evil.example' }).subject).toBe('Re: a Bcc: x@evil.example');
  });
});

describe('the TeamReplyAdded mail saga', () => {
  const event = (type: string): RecordedEvent => ({
    id: 'evt-3', type, data: { ticketId: 't-1' }, metadata: { actor: { type: 'forgejo' }, correlationId: 'c', causationId: 'c' },
    streamId: 'ticket-t-1', revision: 5, position: { commit: 1n, prepare: 1n }, recordedAt: new Date(),
  });

  it('turns TeamReplyAdded into one mail job whose id comes from the event, and nothing else into any', () => {
    const saga = new TeamReplyMailSaga();
    expect(saga.react(event('TeamReplyAdded'))).toEqual([
      { queue: MAIL_QUEUE, name: 'team-reply', jobId: 'mail:evt-3', data: { ticketId: 't-1', eventId: 'evt-3', revision: 5 } },
    ]);
    for (const type of ['TeamReplyEdited', 'TeamReplyRemoved', 'IssueClosed', 'CommentAdded']) expect(saga.react(event(type))).toEqual([]);
  });
});
