import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/** The hex HMAC-SHA256 Forgejo sends in X-Forgejo-Signature: keyed with the secret's UTF-8 bytes, over `payload`. */
export function signPayload(payload: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(payload).digest('hex');
}

/**
 * True only when `signature` is the hex HMAC-SHA256 of the exact `payload` bytes under `secret`.
 * The comparison is constant-time over two 32-byte buffers; a missing, empty, wrong-length or non-hex header is
 * refused before any comparison (its shape says nothing about the secret). An empty secret signs nothing.
 */
export function isValidSignature(payload: Buffer, secret: string | null, signature: string | undefined): boolean {
  if (!secret || typeof signature !== 'string' || !HEX_SHA256.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(payload).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
