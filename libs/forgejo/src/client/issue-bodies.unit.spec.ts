import { describe, expect, it } from '@jest/globals';
import { carriesMarker, commentBody, commentMarker, issueBody, issueMarker, reopenBody, reopenMarker } from './issue-bodies.js';

describe('markers (pure)', () => {
  const ticketId = '11111111-1111-4111-8111-111111111111';
  const other = '22222222-2222-4222-8222-222222222222';

  it('finds the marker the service put at the end of an issue or comment, with trailing whitespace or CRLF', () => {
    expect(carriesMarker(issueBody('desc', 'a@example.com', ticketId), issueMarker(ticketId))).toBe(true);
    expect(carriesMarker(`${issueBody('desc', 'a@example.com', ticketId)}\n \n`, issueMarker(ticketId))).toBe(true);
    expect(carriesMarker(issueBody('desc', 'a@example.com', ticketId).replace(/\n/g, '\r\n'), issueMarker(ticketId))).toBe(true);
    expect(carriesMarker(commentBody('hi', 'a@example.com', 'c1'), commentMarker('c1'))).toBe(true);
  });

  it('never takes a customer’s text that holds a marker for the service’s own', () => {
    // the customer pasted another ticket's marker into their description, even on a line of its own at the end
    const pasted = issueBody(`look:\n\n${issueMarker(other)}`, 'a@example.com', ticketId);
    expect(carriesMarker(pasted, issueMarker(other))).toBe(false);
    expect(carriesMarker(pasted, issueMarker(ticketId))).toBe(true);
    expect(carriesMarker(commentBody(commentMarker('c2'), 'a@example.com', 'c1'), commentMarker('c2'))).toBe(false);
    // a body that is only the marker, or has it glued to text, is not one the service wrote
    expect(carriesMarker(issueMarker(ticketId), issueMarker(ticketId))).toBe(false);
    expect(carriesMarker(`text${issueMarker(ticketId)}`, issueMarker(ticketId))).toBe(false);
    expect(carriesMarker(null, issueMarker(ticketId))).toBe(false);
  });

  it('marks each reopen comment by its ticket and reopen revision, after the footer', () => {
    const body = reopenBody('a@example.com', ticketId, 5);
    expect(body).toContain('The customer reopened this ticket.');
    expect(body).toContain('Reopened by a@example.com through the support desk');
    expect(carriesMarker(body, reopenMarker(ticketId, 5))).toBe(true);
    expect(carriesMarker(body, reopenMarker(ticketId, 3))).toBe(false);
  });
});
