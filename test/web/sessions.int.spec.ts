import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, uniqueEmail } from '../support/http.js';

const PASSWORD = 'correct horse battery';
const TICKET = { repo: 'web', title: 'Printer on fire', description: 'It smokes' };

/** Registers a customer and logs in: the login's token and its Set-Cookie line. */
async function signUp(baseUrl: string): Promise<{ token: string; setCookie: string; cookie: string }> {
  const email = uniqueEmail('web');
  expect((await call(baseUrl, 'POST', '/auth/register', { body: { email, password: PASSWORD } })).status).toBe(201);
  const login = await call(baseUrl, 'POST', '/auth/login', { body: { email, password: PASSWORD } });
  expect(login.status).toBe(200);
  const [setCookie] = login.headers.getSetCookie();
  return { token: login.body.token, setCookie, cookie: setCookie.split(';')[0] };
}

describe('browser sessions: the tb_session cookie', () => {
  let api: TestApi;
  let origin: string;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv }, undefined, { baseUrlIsServed: true });
    origin = api.url;
    await createRepo(api.url, await adminToken(api.url), 'web');
  });
  afterAll(async () => {
    await api.close();
  });

  it('is set by the login, holding its token: HttpOnly, SameSite=Strict, every path, as long as the token, not Secure on http', async () => {
    const { token, setCookie } = await signUp(api.url);
    expect(setCookie).toBe(`tb_session=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=86400`);
  });

  it('is Secure when BASE_URL is https', async () => {
    const https = await startTestApi({ BASE_URL: 'https://tickets.example.com' }, api.db);
    try {
      const { setCookie } = await signUp(https.url);
      expect(setCookie).toMatch(/^tb_session=[\w-]{43}; Path=\/; HttpOnly; SameSite=Strict; Max-Age=86400; Secure$/);
    } finally {
      await https.close();
    }
  });

  it('authenticates a request without an Authorization header', async () => {
    const { cookie } = await signUp(api.url);
    const me = await call(api.url, 'GET', '/auth/me', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: expect.any(String), email: expect.stringContaining('@example.com'), role: 'customer' });
    const tickets = await call(api.url, 'GET', '/tickets', { headers: { cookie } });
    expect(tickets.status).toBe(200);
    expect(tickets.body).toEqual({ items: [], nextCursor: null });
    expect((await call(api.url, 'GET', '/auth/me', { headers: { cookie: 'tb_session=nope' } })).status).toBe(401);
  });

  it("refuses a cookie POST from another origin or none, changing nothing; takes it from BASE_URL's origin", async () => {
    const { cookie } = await signUp(api.url);
    const refused = { statusCode: 403, error: 'Forbidden', message: `Cross-site request refused: Origin must be ${origin}` };
    const crossSite = await call(api.url, 'POST', '/tickets', { headers: { cookie, origin: 'http://evil.example' }, body: TICKET });
    expect(crossSite.status).toBe(403);
    expect(crossSite.body).toEqual(refused);
    const noOrigin = await call(api.url, 'POST', '/tickets', { headers: { cookie }, body: TICKET });
    expect(noOrigin.status).toBe(403);
    expect(noOrigin.body).toEqual(refused);
    // a plain HTML form from another site: refused for its origin, before its body type is even looked at
    const form = await fetch(`${api.url}/tickets`, {
      method: 'POST',
      headers: { cookie, origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: 'repo=desk&title=t&description=d',
    });
    expect(form.status).toBe(403);
    expect(await form.json()).toEqual(refused);
    expect((await call(api.url, 'GET', '/tickets', { headers: { cookie } })).body.items).toEqual([]);

    const sameSite = await call(api.url, 'POST', '/tickets', { headers: { cookie, origin }, body: TICKET });
    expect(sameSite.status).toBe(201);
    const listed = await call(api.url, 'GET', '/tickets', { headers: { cookie } });
    expect(listed.body.items.map((t: { id: string }) => t.id)).toEqual([sameSite.body.id]);
  });

  it('signs in the reopen button too (POST /tickets/:id/reopen), with the same Origin check', async () => {
    const { cookie } = await signUp(api.url);
    const created = await call(api.url, 'POST', '/tickets', { headers: { cookie, origin }, body: TICKET });
    const reopen = (headers: Record<string, string>) => call(api.url, 'POST', `/tickets/${created.body.id}/reopen`, { headers: { cookie, ...headers }, body: {} });
    expect((await reopen({ origin: 'http://evil.example' })).status).toBe(403);
    // signed in and from the right origin: the ticket is open, so the answer is about the ticket, not the caller
    expect((await reopen({ origin })).status).toBe(409);
  });

  it('does not check the Origin of bearer requests', async () => {
    const { token } = await signUp(api.url);
    expect((await call(api.url, 'POST', '/tickets', { token, body: TICKET })).status).toBe(201);
    expect((await call(api.url, 'POST', '/tickets', { token, headers: { origin: 'http://evil.example' }, body: TICKET })).status).toBe(201);
  });

  it('signs out: 204, the cookie is cleared, and neither the cookie nor the token works any more', async () => {
    const { token, cookie } = await signUp(api.url);
    const crossSite = await call(api.url, 'POST', '/auth/logout', { headers: { cookie, origin: 'http://evil.example' } });
    expect(crossSite.status).toBe(403);
    expect((await call(api.url, 'GET', '/auth/me', { headers: { cookie } })).status).toBe(200);

    const logout = await call(api.url, 'POST', '/auth/logout', { headers: { cookie, origin } });
    expect(logout.status).toBe(204);
    expect(logout.text).toBe('');
    expect(logout.headers.getSetCookie()).toEqual(['tb_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0']);
    const byCookie = await call(api.url, 'GET', '/auth/me', { headers: { cookie } });
    expect(byCookie.status).toBe(401);
    expect(byCookie.body.statusCode).toBe(401);
    expect((await call(api.url, 'GET', '/auth/me', { token })).status).toBe(401);
    expect((await call(api.url, 'POST', '/auth/logout', { headers: { cookie, origin } })).status).toBe(401);
  });

  it('signs a bearer client out too, leaving its other sessions alone', async () => {
    const email = uniqueEmail('web');
    await call(api.url, 'POST', '/auth/register', { body: { email, password: PASSWORD } });
    const [first, second] = await Promise.all([1, 2].map(() => call(api.url, 'POST', '/auth/login', { body: { email, password: PASSWORD } })));
    expect((await call(api.url, 'POST', '/auth/logout', { token: first.body.token })).status).toBe(204);
    expect((await call(api.url, 'GET', '/auth/me', { token: first.body.token })).status).toBe(401);
    expect((await call(api.url, 'GET', '/auth/me', { token: second.body.token })).status).toBe(200);
  });

  it('documents the logout and the cookie in the OpenAPI document', async () => {
    const doc = await call(api.url, 'GET', '/docs-json');
    expect(doc.body.paths['/auth/logout'].post.tags).toEqual(['auth']);
    expect(doc.body.paths['/auth/logout'].post.responses).toHaveProperty('204');
    expect(doc.body.components.securitySchemes.cookie).toEqual(expect.objectContaining({ type: 'apiKey', in: 'cookie', name: 'tb_session' }));
  });
});
