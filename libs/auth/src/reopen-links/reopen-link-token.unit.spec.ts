import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { checkReopenLink, reopenLinkExpiry, signReopenLink } from './reopen-link-token.js';

const key = randomBytes(32);
const ticket = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const NOW = Date.parse('2026-12-01T10:00:00.000Z');
const claims = { closeRevision: 4, expiresAt: reopenLinkExpiry(new Date(NOW)) };

describe('the reopen link token (pure)', () => {
  it('opens the ticket and the close it was signed for, until 30 days after the close', () => {
    const token = signReopenLink(key, ticket, claims);
    expect(checkReopenLink(key, ticket, token, NOW)).toEqual({ ok: true, claims });
    expect(checkReopenLink(key, ticket.toUpperCase(), token, NOW).ok).toBe(true);
    expect(claims.expiresAt * 1000 - NOW).toBe(30 * 24 * 3600 * 1000);
    expect(checkReopenLink(key, ticket, token, NOW + 30 * 24 * 3600 * 1000 - 1000).ok).toBe(true);
    expect(checkReopenLink(key, ticket, token, NOW + 30 * 24 * 3600 * 1000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses it for another ticket, another close, another key, or with any change', () => {
    const token = signReopenLink(key, ticket, claims);
    expect(checkReopenLink(key, other, token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(checkReopenLink(randomBytes(32), ticket, token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    const [, expiresAt, mac] = token.split('.');
    expect(checkReopenLink(key, ticket, `5.${expiresAt}.${mac}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    // a later expiry is not the customer's to choose
    expect(checkReopenLink(key, ticket, `4.${Number(expiresAt) + 1}.${mac}`, NOW)).toEqual({ ok: false, reason: 'invalid' });
    const flipped = mac.slice(0, -2) + (mac.at(-2) === 'A' ? 'B' : 'A') + mac.at(-1);
    expect(checkReopenLink(key, ticket, `4.${expiresAt}.${flipped}`, NOW).ok).toBe(false);
  });

  it('refuses another spelling of the same MAC (the unused bits of base64url’s last character)', () => {
    const token = signReopenLink(key, ticket, { closeRevision: 4, expiresAt: NOW / 1000 + 3600 });
    const last = token.at(-1)!;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // the last of 43 characters holds 4 bits: the 3 characters after it in the alphabet (same 4 bits) decode alike
    const sameBits = alphabet[(alphabet.indexOf(last) & ~3) + ((alphabet.indexOf(last) + 1) & 3)];
    expect(Buffer.from(token.slice(-43), 'base64url')).toEqual(Buffer.from(token.slice(-43, -1) + sameBits, 'base64url'));
    expect(checkReopenLink(key, ticket, token.slice(0, -1) + sameBits, NOW).ok).toBe(false);
    expect(checkReopenLink(key, ticket, token, NOW).ok).toBe(true);
  });

  it('refuses what is no token at all, and says a forged expired one is invalid, not expired', () => {
    for (const bad of [undefined, null, 42, '', 'x', '4.5', '4.5.', `${'9'.repeat(11)}.1.${'A'.repeat(43)}`, ['4.5.x'], 'a.b.c']) {
      expect(checkReopenLink(key, ticket, bad, NOW)).toEqual({ ok: false, reason: 'invalid' });
    }
    const forged = `4.1.${'A'.repeat(43)}`;
    expect(checkReopenLink(key, ticket, forged, NOW)).toEqual({ ok: false, reason: 'invalid' });
    const expired = signReopenLink(key, ticket, { closeRevision: 4, expiresAt: 1 });
    expect(checkReopenLink(key, ticket, expired, NOW)).toEqual({ ok: false, reason: 'expired' });
  });
});
