import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Pure: the token of a resolved email's reopen link. It names the close it was made for (the IssueClosed
 * event's revision) and when it expires, and carries an HMAC-SHA256 over those and the ticket id, so it opens
 * that ticket from that close only. "Works once" is the ticket's rule: a reopen ends the close the link names.
 */

export const REOPEN_LINK_DAYS = 30;

export interface ReopenLinkClaims {
  /** the revision of the IssueClosed event the link was made for */
  closeRevision: number;
  /** seconds since the epoch */
  expiresAt: number;
}

export type ReopenLinkCheck = { ok: true; claims: ReopenLinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

const TOKEN = /^(\d{1,10})\.(\d{1,12})\.([A-Za-z0-9_-]{43})$/;

function mac(key: Buffer, ticketId: string, { closeRevision, expiresAt }: ReopenLinkClaims): Buffer {
  return createHmac('sha256', key).update(`reopen-link\n${ticketId.toLowerCase()}\n${closeRevision}\n${expiresAt}`).digest();
}

/** The expiry of a link for a close at `closedAt`: 30 days later (the same for every attempt at its email). */
export function reopenLinkExpiry(closedAt: string | Date): number {
  return Math.floor(new Date(closedAt).getTime() / 1000) + REOPEN_LINK_DAYS * 24 * 3600;
}

export function signReopenLink(key: Buffer, ticketId: string, claims: ReopenLinkClaims): string {
  return `${claims.closeRevision}.${claims.expiresAt}.${mac(key, ticketId, claims).toString('base64url')}`;
}

/** Whether `token` is one this key signed for `ticketId`, and still in date (`now` in ms). */
export function checkReopenLink(key: Buffer, ticketId: string, token: unknown, now = Date.now()): ReopenLinkCheck {
  const parts = typeof token === 'string' ? TOKEN.exec(token) : null;
  if (!parts) return { ok: false, reason: 'invalid' };
  const claims = { closeRevision: Number(parts[1]), expiresAt: Number(parts[2]) };
  // compared as text: base64url's last character carries two unused bits, so decoding would take other spellings
  // of the same MAC too
  const given = Buffer.from(parts[3], 'utf8');
  const expected = Buffer.from(mac(key, ticketId, claims).toString('base64url'), 'utf8');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  if (claims.expiresAt * 1000 <= now) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}
