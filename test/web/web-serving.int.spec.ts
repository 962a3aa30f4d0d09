import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { WEB_DIST } from '../../apps/api/src/web/web-dist.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { ADMIN, adminEnv, call, newCustomer } from '../support/http.js';
import { ensureWebAppBuilt } from '../support/web-app.js';

const CSP = "default-src 'self';script-src 'self';style-src 'self';img-src 'self' data:;object-src 'none';base-uri 'self';form-action 'self';frame-ancestors 'none'";
// Swagger UI's page and Bull Board's: inline styles allowed, scripts still only from the service
const INLINE_STYLES_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");
const BOARD_PAGE_CSP = INLINE_STYLES_CSP;

/** GETs a URL and reads the body through (an unread body would hold its connection open past the API's close). */
async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await fetch(url, { headers });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Helmet's headers, with the web contract's policy unless told otherwise. */
function expectSecurityHeaders(headers: Headers, csp = CSP): void {
  expect(headers.get('content-security-policy')).toBe(csp);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
}

describe('the web app served by the API, under security headers', () => {
  let api: TestApi;
  let indexHtml: string;
  let customer: { token: string };
  let adminCookie: string;

  beforeAll(async () => {
    await ensureWebAppBuilt();
    indexHtml = await readFile(join(WEB_DIST, 'index.html'), 'utf8');
    api = await startTestApi({ ...adminEnv }, undefined, { baseUrlIsServed: true });
    customer = await newCustomer(api.url, 'web');
    const login = await call(api.url, 'POST', '/auth/login', { body: ADMIN });
    adminCookie = login.headers.getSetCookie()[0].split(';')[0];
  }, 180_000);
  afterAll(async () => {
    await api.close();
  });

  it('answers index.html at / and at every /app path, revalidated each time', async () => {
    for (const path of ['/', '/app/tickets', '/app/tickets/x', '/app/admin/repos']) {
      const page = await get(`${api.url}${path}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('cache-control')).toBe('no-cache');
      expectSecurityHeaders(page.headers);
      expect(page.text).toBe(indexHtml);
    }
  });

  it('serves the hashed assets for a year, immutable, with the same headers', async () => {
    const script = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(indexHtml)?.[1];
    expect(script).toBeDefined();
    const asset = await get(`${api.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/^text\/javascript|^application\/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expectSecurityHeaders(asset.headers);
    expect((await get(`${api.url}/assets/no-such-file.js`)).status).toBe(404);
    // the build's own bookkeeping beside index.html is not served
    expect((await get(`${api.url}/assets/%2e%2e/.build-hash`)).status).toBe(404);
  });

  it('leaves the API routes alone: /tickets still answers JSON 401, with the same headers', async () => {
    const tickets = await call(api.url, 'GET', '/tickets');
    expect(tickets.status).toBe(401);
    expect(tickets.headers.get('content-type')).toMatch(/^application\/json/);
    expect(tickets.body).toEqual(expect.objectContaining({ statusCode: 401, error: 'Unauthorized' }));
    expectSecurityHeaders(tickets.headers);
    const health = await get(`${api.url}/health`);
    expect(health.headers.get('content-type')).toMatch(/^application\/json/);
    expectSecurityHeaders(health.headers);
    const mine = await call(api.url, 'GET', '/tickets', { token: customer.token });
    expect(mine.status).toBe(200);
    expect(mine.body).toEqual({ items: [], nextCursor: null });
  });

  it('keeps Swagger UI working: its page may use inline styles, never inline scripts', async () => {
    const ui = await get(`${api.url}/docs`);
    expect(ui.status).toBe(200);
    const html = ui.text;
    expect(html).toContain('swagger-ui-bundle.js');
    expectSecurityHeaders(ui.headers, INLINE_STYLES_CSP);
    expect(html).not.toMatch(/<script>(?!\s*<\/script>)/);
    const init = await get(`${api.url}/docs/swagger-ui-init.js`);
    expect(init.status).toBe(200);
    expectSecurityHeaders(init.headers);
    expect((await get(`${api.url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
  });

  it("keeps the reopen link's page on its own stricter policy", async () => {
    const page = await get(`${api.url}/tickets/00000000-0000-4000-8000-000000000000/reopen?token=nope`);
    expect(page.status).toBe(403);
    expect(page.text).toContain('This link is not valid');
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
  });

  describe('the queue dashboard (Bull Board) at /admin/queues', () => {
    it('is for admins only: 401 without a session, 403 for a customer, on its page, its API and its files', async () => {
      const pages = new Set(['/admin/queues', '/admin/queues/queue/forgejo']);
      for (const path of [...pages, '/admin/queues/api/queues', '/admin/queues/static/images/logo.svg']) {
        const anonymous = await call(api.url, 'GET', path);
        expect([path, anonymous.status, anonymous.body.statusCode]).toEqual([path, 401, 401]);
        expect(anonymous.body.error).toBe('Unauthorized');
        const byCustomer = await call(api.url, 'GET', path, { token: customer.token });
        expect([path, byCustomer.status]).toEqual([path, 403]);
        expect(byCustomer.body).toEqual({ statusCode: 403, error: 'Forbidden', message: 'This route is for admins' });
        expectSecurityHeaders(byCustomer.headers, pages.has(path) ? BOARD_PAGE_CSP : CSP);
      }
    });

    it("shows its page to an admin signed in by cookie, styles allowed inline, scripts from the service only", async () => {
      const page = await get(`${api.url}/admin/queues`, { cookie: adminCookie });
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      expectSecurityHeaders(page.headers, BOARD_PAGE_CSP);
      const html = page.text;
      expect(html).toContain('<base href="/admin/queues/"');
      expect(html).toContain('Ticket bridge queues');
      const script = /<script defer src="([^"]+)"/.exec(html)?.[1];
      expect(script).toMatch(/^static\/js\//);
      const file = await get(`${api.url}/admin/queues/${script}`, { cookie: adminCookie });
      expect(file.status).toBe(200);
      expectSecurityHeaders(file.headers);
      expect((await get(`${api.url}/admin/queues/${script}`)).status).toBe(401);
    });

    it("answers its API to an admin: the service's queues, read-only", async () => {
      const list = await call(api.url, 'GET', '/admin/queues/api/queues', { headers: { cookie: adminCookie } });
      expect(list.status).toBe(200);
      expect(list.headers.get('content-type')).toMatch(/^application\/json/);
      expect(list.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(['forgejo', 'mail']);
      expect(list.body.queues.every((queue: { readOnlyMode: boolean }) => queue.readOnlyMode)).toBe(true);
      const pause = (headers: Record<string, string>) => call(api.url, 'PUT', '/admin/queues/api/queues/forgejo/pause', { headers: { cookie: adminCookie, ...headers } });
      expect((await pause({})).status).toBe(403);
      expect((await pause({ origin: api.url })).status).toBe(405);
    });
  });
});
