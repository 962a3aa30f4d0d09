import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startTestApi, type TestApi } from '../support/api.js';
import { call, uniqueEmail } from '../support/http.js';

const PASSWORD = 'correct horse battery';

describe('accounts over HTTP', () => {
  let api: TestApi;
  beforeAll(async () => {
    // the rate limit has its own test file; here every request must pass
    api = await startTestApi({ AUTH_RATE_LIMIT: '1000000' });
  });
  afterAll(async () => {
    await api?.close();
  });

  const register = (body: unknown) => call(api.url, 'POST', '/auth/register', { body });
  const login = (body: unknown) => call(api.url, 'POST', '/auth/login', { body });
  const me = (token?: string, headers?: Record<string, string>) => call(api.url, 'GET', '/auth/me', { token, headers });
  const accountCount = async () => Number((await api.db.pool.query('SELECT count(*) FROM accounts')).rows[0].count);

  describe('POST /auth/register', () => {
    it('creates a customer: 201 {id, email, role}', async () => {
      const email = uniqueEmail('Ada');
      const response = await register({ email: `  ${email} `, password: PASSWORD });
      expect(response.status).toBe(201);
      expect(response.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), email, role: 'customer' });
      const { rows } = await api.db.pool.query('SELECT email, role FROM accounts WHERE id = $1', [response.body.id]);
      expect(rows).toEqual([{ email, role: 'customer' }]);
    });

    it('is 409 when the email is taken, whatever its case', async () => {
      const email = uniqueEmail('bob');
      expect((await register({ email, password: PASSWORD })).status).toBe(201);
      const again = await register({ email: email.toUpperCase(), password: 'another password' });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('email') });
    });

    it('gives exactly one 201 when the same email registers many times at once', async () => {
      const email = uniqueEmail('race');
      const responses = await Promise.all(
        Array.from({ length: 8 }, (_, i) => register({ email: i % 2 ? email.toUpperCase() : email, password: PASSWORD })),
      );
      expect(responses.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM accounts WHERE email_key = lower($1)', [email]);
      expect(rows[0].n).toBe(1);
    });

    // `call` sends a string body as it is: the three raw ones are malformed or non-object JSON
    const badInputs: Array<[string, { body: unknown }, RegExp]> = [
      ['a missing email', { body: { password: PASSWORD } }, /^email must be a string/],
      ['a bad email', { body: { email: 'not-an-email', password: PASSWORD } }, /email must be an email/],
      ['a non-string email', { body: { email: 42, password: PASSWORD } }, /email must be a string/],
      ['an email over 254 characters', { body: { email: `${'a'.repeat(250)}@example.com`, password: PASSWORD } }, /email/],
      ['a missing password', { body: { email: uniqueEmail() } }, /^password must be a string/],
      ['a 7-character password', { body: { email: uniqueEmail(), password: '1234567' } }, /password must be longer than or equal to 8/],
      ['a 201-character password', { body: { email: uniqueEmail(), password: 'x'.repeat(201) } }, /password must be shorter than or equal to 200/],
      ['an unknown property', { body: { email: uniqueEmail(), password: PASSWORD, role: 'admin' } }, /property role should not exist/],
      ['a non-JSON body', { body: '{"email": ' }, /./],
      ['a JSON array body', { body: JSON.stringify([{ email: uniqueEmail(), password: PASSWORD }]) }, /email/],
      ['a null body', { body: 'null' }, /email/],
      ['an empty object', { body: {} }, /email.*password|password.*email/],
    ];
    it.each(badInputs)('is 400 for %s, naming the field, and creates nothing', async (_, input, message) => {
      const before = await accountCount();
      const response = await call(api.url, 'POST', '/auth/register', input);
      expect(response.status).toBe(400);
      expect(response.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringMatching(message) });
      expect(await accountCount()).toBe(before);
    });

    it('accepts an address on a local domain', async () => {
      const response = await register({ email: `local-${Date.now()}@localhost`, password: PASSWORD });
      expect(response.status).toBe(201);
    });

    it('accepts passwords of exactly 8 and 200 characters', async () => {
      expect((await register({ email: uniqueEmail(), password: '12345678' })).status).toBe(201);
      expect((await register({ email: uniqueEmail(), password: 'y'.repeat(200) })).status).toBe(201);
    });

    it('never stores the password itself: an scrypt hash with its parameters and salt', async () => {
      const email = uniqueEmail();
      const password = 'my very own secret';
      await register({ email, password });
      const { rows } = await api.db.pool.query('SELECT * FROM accounts WHERE email_key = lower($1)', [email]);
      expect(rows[0].password_hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]+$/);
      expect(JSON.stringify(rows[0])).not.toContain(password);
      // two accounts with one password get different hashes (a random salt each)
      const other = uniqueEmail();
      await register({ email: other, password });
      const second = await api.db.pool.query('SELECT password_hash FROM accounts WHERE email_key = lower($1)', [other]);
      expect(second.rows[0].password_hash).not.toBe(rows[0].password_hash);
    });
  });

  describe('POST /auth/login', () => {
    const email = uniqueEmail('Carol');
    beforeAll(async () => {
      expect((await register({ email, password: PASSWORD })).status).toBe(201);
    });

    it('gives a token and its expiry, about 24 h ahead; the email is case-insensitive', async () => {
      const response = await login({ email: ` ${email.toUpperCase()}`, password: PASSWORD });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), expiresAt: expect.any(String) });
      const expiresAt = Date.parse(response.body.expiresAt);
      expect(new Date(expiresAt).toISOString()).toBe(response.body.expiresAt);
      expect(expiresAt).toBeGreaterThan(Date.now() + 23 * 3600_000);
      expect(expiresAt).toBeLessThanOrEqual(Date.now() + 24 * 3600_000);
    });

    it('gives a new token at each login', async () => {
      const [a, b] = [await login({ email, password: PASSWORD }), await login({ email, password: PASSWORD })];
      expect(a.body.token).not.toBe(b.body.token);
    });

    it('is 401 with one message for a wrong password and for an unknown email', async () => {
      const wrong = await login({ email, password: 'not the password' });
      const unknown = await login({ email: uniqueEmail('nobody'), password: PASSWORD });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('is 400 for a malformed body', async () => {
      expect((await login({ email })).status).toBe(400);
      expect((await login({ email, password: PASSWORD, extra: 1 })).body.message).toMatch(/extra/);
      expect((await call(api.url, 'POST', '/auth/login', { body: '[]' })).status).toBe(400);
    });

    it('stores only the sha256 of the token', async () => {
      const { token } = (await login({ email, password: PASSWORD })).body;
      const sha = createHash('sha256').update(token).digest();
      const { rows } = await api.db.pool.query('SELECT * FROM access_tokens WHERE token_hash = $1', [sha]);
      expect(rows).toHaveLength(1);
      expect(Date.parse(rows[0].expires_at)).toBeGreaterThan(Date.now());
      const dump = await api.db.pool.query(
        `SELECT (SELECT coalesce(json_agg(t), '[]')::text FROM access_tokens t) AS tokens,
                (SELECT coalesce(json_agg(a), '[]')::text FROM accounts a) AS accounts`,
      );
      const everything = dump.rows[0].tokens + dump.rows[0].accounts;
      expect(everything).not.toContain(token);
      expect(everything).not.toContain(Buffer.from(token, 'base64url').toString('hex'));
    });
  });

  describe('bearer tokens on a protected route (GET /auth/me)', () => {
    const email = uniqueEmail('Dave');
    let id: string;
    beforeAll(async () => {
      id = (await register({ email, password: PASSWORD })).body.id;
    });
    const freshToken = async () => (await login({ email, password: PASSWORD })).body.token as string;

    it('answers {id, email, role} for a valid token, again and again', async () => {
      const token = await freshToken();
      for (let i = 0; i < 3; i += 1) {
        const response = await me(token);
        expect(response.status).toBe(200);
        expect(response.body).toEqual({ id, email, role: 'customer' });
      }
    });

    it.each([
      ['no Authorization header', undefined, undefined],
      ['a garbage token', 'garbage', undefined],
      ['a well-formed unknown token', 'A'.repeat(43), undefined],
      ['another scheme', undefined, { authorization: 'Basic dXNlcjpwYXNz' }],
      ['"Bearer" alone', undefined, { authorization: 'Bearer ' }],
    ])('is 401 with %s', async (_, token, headers) => {
      const response = await me(token, headers);
      expect(response.status).toBe(401);
      expect(response.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    });

    it('is 401 once the token has expired (a token not yet cached)', async () => {
      const token = await freshToken();
      const sha = createHash('sha256').update(token).digest();
      await api.db.pool.query("UPDATE access_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1", [sha]);
      const response = await me(token);
      expect(response.status).toBe(401);
      expect(response.body.message).toMatch(/expired|invalid/i);
    });

    it('keeps a verified token in the cache no longer than its expiry', async () => {
      const token = await freshToken();
      const sha = createHash('sha256').update(token).digest();
      // expires in 1.5 s: the first request caches it, but only until then
      await api.db.pool.query("UPDATE access_tokens SET expires_at = now() + interval '1500 milliseconds' WHERE token_hash = $1", [sha]);
      expect((await me(token)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1700));
      expect((await me(token)).status).toBe(401);
    });

    it('accepts the scheme in any case', async () => {
      const token = await freshToken();
      expect((await me(undefined, { authorization: `bearer ${token}` })).status).toBe(200);
    });
  });

  describe('what stays public', () => {
    it('serves /health and /docs-json without a token, with the auth DTOs documented', async () => {
      expect((await fetch(`${api.url}/health`)).status).toBe(200);
      const docs = await call(api.url, 'GET', '/docs-json');
      expect(docs.status).toBe(200);
      expect(Object.keys(docs.body.paths)).toEqual(expect.arrayContaining(['/auth/register', '/auth/login', '/auth/me']));
      expect(docs.body.components.schemas.RegisterDto.properties).toEqual(
        expect.objectContaining({ email: expect.any(Object), password: expect.objectContaining({ minLength: 8, maxLength: 200 }) }),
      );
    });
  });
});
