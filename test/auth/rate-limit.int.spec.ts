import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { call, uniqueEmail } from '../support/http.js';

describe('register and login rate limit (AUTH_RATE_LIMIT=3)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi({ AUTH_RATE_LIMIT: '3' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers the 4th register/login of a minute from one address with 429 and Retry-After', async () => {
    const email = uniqueEmail('limited');
    const password = 'limited password';
    expect((await call(api.url, 'POST', '/auth/register', { body: { email, password } })).status).toBe(201);
    expect((await call(api.url, 'POST', '/auth/login', { body: { email, password } })).status).toBe(200);
    // a bad attempt counts too
    expect((await call(api.url, 'POST', '/auth/login', { body: { email, password: 'wrong password' } })).status).toBe(401);

    for (const path of ['/auth/login', '/auth/register']) {
      const response = await call(api.url, 'POST', path, { body: { email: uniqueEmail(), password } });
      expect(response.status).toBe(429);
      expect(response.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String) });
      const retryAfter = Number(response.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // nothing was created by the refused register
    const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM accounts');
    expect(rows[0].n).toBe(1);
  });

  it('does not limit other routes, nor authenticated requests with the token', async () => {
    for (let i = 0; i < 5; i += 1) expect((await fetch(`${api.url}/health`)).status).toBe(200);
  });
});
