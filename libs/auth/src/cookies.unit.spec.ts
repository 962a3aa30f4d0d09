import { describe, expect, it } from '@jest/globals';
import { parseCookies } from './cookies.js';
import { clearedSessionCookie, sessionCookie, sessionTokenOf } from './session-cookie.js';

describe('parseCookies (pure)', () => {
  it('reads name=value pairs separated by semicolons, trimming the blanks around them', () => {
    expect(parseCookies('a=1; b=two ;c = 3')).toEqual(new Map([['a', '1'], ['b', 'two'], ['c', '3']]));
  });

  it('keeps values as sent: "=" inside a value, no percent-decoding, surrounding quotes dropped', () => {
    expect(parseCookies('t=abc==; u=%20x; q="quoted"; e=')).toEqual(new Map([['t', 'abc=='], ['u', '%20x'], ['q', 'quoted'], ['e', '']]));
  });

  it('skips pairs without "=" or without a name, and keeps the first of a repeated name', () => {
    expect(parseCookies('flag; =x; a=1; a=2;;')).toEqual(new Map([['a', '1']]));
  });

  it('is empty for no header at all', () => {
    expect(parseCookies(undefined).size).toBe(0);
    expect(parseCookies('').size).toBe(0);
  });
});

describe('the session cookie (pure)', () => {
  it('is HttpOnly, SameSite=Strict, on every path, for as long as the token lives; Secure only when asked', () => {
    expect(sessionCookie('tok', false)).toBe('tb_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400');
    expect(sessionCookie('tok', true)).toBe('tb_session=tok; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400; Secure');
    expect(clearedSessionCookie(false)).toBe('tb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('is found among the other cookies of a request; an empty one is none', () => {
    expect(sessionTokenOf('theme=dark; tb_session=tok')).toBe('tok');
    expect(sessionTokenOf('tb_session=')).toBeUndefined();
    expect(sessionTokenOf(undefined)).toBeUndefined();
  });
});
