import { carriesMarker } from '../client/issue-bodies.js';

/** Which Forgejo comments reach the customer: `marked` (first line starts with /reply) or `all` (all but /internal). */
export type ReplyMode = 'marked' | 'all';

// the service's own markers (a mirrored comment, an issue, whatever else it writes): `<!-- ticket-bridge:kind:id -->`
const OWN_MARKER = /<!-- ticket-bridge:[a-z-]+:[^\s<>]+ -->$/;

/**
 * Whether the service wrote this comment itself: its body ends with one of the service's markers, after a blank
 * line, where the service puts it (carriesMarker). Known by its text, so an echo that arrives before the service
 * has recorded the comment's Forgejo id is still not a reply; the decider also knows it by that id.
 */
export function isOwnComment(body: string): boolean {
  const marker = OWN_MARKER.exec(body.replace(/\s+$/, ''))?.[0];
  return marker !== undefined && carriesMarker(body, marker);
}

// a command word at the very start of the first line (spaces before it allowed), followed by a space or the line's end
const command = (word: string) => new RegExp(`^[ \\t]*/${word}(?=[ \\t]|\\r?\\n|$)[ \\t]*`);
const REPLY = command('reply');
const INTERNAL = command('internal');

/** Leading blank lines and trailing whitespace off; the text in between byte for byte. */
const tidy = (text: string) => text.replace(/^(?:[ \t]*\r?\n)+/, '').replace(/\s+$/, '');

/**
 * Pure: the text a Forgejo comment shows the customer, or null when it is no reply.
 * - `marked`: the first line starts with the word `/reply`; the reply is what follows it on that line and the
 *   lines below (`/replying` is not the word).
 * - `all`: every comment but one whose first line starts with `/internal`; a leading `/reply` is dropped too.
 * Never the service's own comments, and never an empty text.
 */
export function replyTextOf(body: string, mode: ReplyMode): string | null {
  if (isOwnComment(body)) return null;
  if (mode === 'all' && INTERNAL.test(body)) return null;
  const marked = REPLY.test(body);
  if (mode === 'marked' && !marked) return null;
  const text = tidy(marked ? body.replace(REPLY, '') : body);
  return text === '' ? null : text;
}
