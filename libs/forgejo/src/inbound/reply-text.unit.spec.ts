import { describe, expect, it } from '@jest/globals';
import { commentBody, issueBody } from '../client/issue-bodies.js';
import { isOwnComment, replyTextOf } from './reply-text.js';

const mirrored = commentBody('/reply please call me', 'bob@example.com', '0b7f2a4e-6d0c-4c9b-9a57-1f0a2d3c4b5e');

describe('the reply text of a Forgejo comment (pure)', () => {
  it('marked: the text after /reply on the first line, and the lines below', () => {
    expect(replyTextOf('/reply Hello Bob', 'marked')).toBe('Hello Bob');
    expect(replyTextOf('/reply Hello Bob,\n\nit is fixed.\n', 'marked')).toBe('Hello Bob,\n\nit is fixed.');
    expect(replyTextOf('/reply\r\nHello Bob', 'marked')).toBe('Hello Bob');
    expect(replyTextOf('  /reply   Hello', 'marked')).toBe('Hello');
  });

  it('marked: anything else is no reply', () => {
    expect(replyTextOf('Hello Bob', 'marked')).toBeNull();
    expect(replyTextOf('Reproduced.\n/reply Hello', 'marked')).toBeNull();
    expect(replyTextOf('/replying soon', 'marked')).toBeNull();
    expect(replyTextOf('see /reply', 'marked')).toBeNull();
    expect(replyTextOf('/reply', 'marked')).toBeNull();
    expect(replyTextOf('/reply   \n  \n', 'marked')).toBeNull();
  });

  it('all: every comment but /internal ones, a leading /reply dropped', () => {
    expect(replyTextOf('Hello Bob', 'all')).toBe('Hello Bob');
    expect(replyTextOf('/reply Hello Bob', 'all')).toBe('Hello Bob');
    expect(replyTextOf('/internal looks like the cache', 'all')).toBeNull();
    expect(replyTextOf('/internal\nlooks like the cache', 'all')).toBeNull();
    expect(replyTextOf(' /internal x', 'all')).toBeNull();
    expect(replyTextOf('/internals of the cache', 'all')).toBe('/internals of the cache');
    expect(replyTextOf('Not internal.\n/internal', 'all')).toBe('Not internal.\n/internal');
    expect(replyTextOf('   \n', 'all')).toBeNull();
  });

  it("never the service's own comments, in either mode, whatever they start with", () => {
    expect(isOwnComment(mirrored)).toBe(true);
    expect(isOwnComment(`${mirrored}\r\n`)).toBe(true);
    expect(isOwnComment(issueBody('/reply x', 'bob@example.com', 't-1'))).toBe(true);
    expect(replyTextOf(mirrored, 'marked')).toBeNull();
    expect(replyTextOf(mirrored, 'all')).toBeNull();
    expect(replyTextOf(mirrored.replace(/\n/g, '\r\n'), 'all')).toBeNull();
    // the comment the service posts when the customer reopens
    expect(replyTextOf('The customer reopened this ticket.\n\n<!-- ticket-bridge:reopen:t-1:5 -->', 'all')).toBeNull();
  });

  it("a marker anywhere but at the end, after a blank line, is the team's text", () => {
    const marker = '<!-- ticket-bridge:comment:abc -->';
    expect(isOwnComment(`/reply see ${marker}`)).toBe(false);
    expect(replyTextOf(`/reply see ${marker}`, 'marked')).toBe(`see ${marker}`);
    expect(replyTextOf(`${marker}\n\nHello`, 'all')).toBe(`${marker}\n\nHello`);
  });
});
