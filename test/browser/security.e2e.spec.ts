import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Page } from 'playwright-core';
import { ADMIN, call, createRepo } from '../support/http.js';
import { conversation, customerAccount, fileTicket, h1, signedInPage, startWebStack, ticketItems, waitForText, type WebStack } from './support.js';

// What a page can never be made to do: run a ticket's text as script, or act for its user on a request another
// site started with the user's cookie.
const XSS_TITLE = '<img src=x onerror=alert(1)>';
const XSS_DESCRIPTION = '<b onmouseover="alert(2)">bold?</b> & "quotes" <a href="javascript:alert(3)">link</a>';
const XSS_COMMENT = '<script>alert(1)</script>';

describe('security in the browser', () => {
  let stack: WebStack;
  let customer: { email: string; password: string; token: string };
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    stack = await startWebStack();
    await createRepo(stack.url, stack.adminToken, 'desk');
    customer = await customerAccount(stack.url, 'security');
    ({ context, page } = await signedInPage(stack, customer.email, customer.password));
  });
  afterEach(() => expect(stack.browser.problems.splice(0)).toEqual([]));
  afterAll(async () => {
    await stack?.close();
  });

  it("serves the app's pages with the CSP and the other security headers", async () => {
    for (const path of ['/', '/app/tickets', '/app/tickets/00000000-0000-4000-8000-000000000000', '/app/admin/repos']) {
      const response = await page.goto(`${stack.url}${path}`);
      expect(response!.status()).toBe(200);
      const headers = response!.headers();
      const csp = (headers['content-security-policy'] ?? '').split(';').map((d) => d.trim());
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ]) {
        expect(csp).toContain(directive);
      }
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['referrer-policy']).toBe('no-referrer');
    }
    await h1(page, 'Repos').or(h1(page, 'Admins only')).waitFor();
  });

  it('shows a title, a description and a comment made of markup as text, and no dialog opens', async () => {
    await page.goto(`${stack.url}/app/tickets/new`);
    await h1(page, 'New ticket').waitFor();
    await page.getByLabel('Repository', { exact: true }).selectOption({ label: 'desk' });
    await page.getByLabel('Title', { exact: true }).fill(XSS_TITLE);
    await page.getByLabel('Description', { exact: true }).fill(XSS_DESCRIPTION);
    await page.getByRole('button', { name: 'Create ticket' }).click();
    await page.waitForURL(/\/app\/tickets\/[0-9a-f-]{36}$/);
    await h1(page, XSS_TITLE).waitFor();
    await page.getByText(XSS_DESCRIPTION, { exact: true }).waitFor();

    await page.getByLabel('Comment', { exact: true }).fill(XSS_COMMENT);
    await page.getByRole('button', { name: 'Add comment' }).click();
    await waitForText(conversation(page), XSS_COMMENT);
    // reloaded, so that everything on the page comes from the API, not from what was typed
    await page.reload();
    await waitForText(conversation(page), XSS_COMMENT);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe(XSS_TITLE);
    const injected = page.locator('main img, main script, main b, main a[href^="javascript:"]');
    expect(await injected.count()).toBe(0);

    await page.goto(`${stack.url}/app/tickets`);
    await ticketItems(page).getByRole('link', { name: XSS_TITLE, exact: true }).waitFor();
    expect(await page.locator('main img').count()).toBe(0);
  });

  it("shows the same text as text on the admin's pages", async () => {
    const ticketId = (await call(stack.url, 'GET', '/tickets', { token: customer.token })).body.items[0].id;
    const admin = await signedInPage(stack, ADMIN.email, ADMIN.password);
    await admin.page.goto(`${stack.url}/app/admin/tickets`);
    await admin.page.getByRole('row').getByRole('link', { name: XSS_TITLE, exact: true }).click();
    await h1(admin.page, `History of ${XSS_TITLE}`).waitFor();
    const timeline = admin.page.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
    for (const details of await timeline.locator('details').all()) await details.locator('summary').click();
    await waitForText(timeline, XSS_COMMENT);
    expect(new URL(admin.page.url()).pathname).toBe(`/app/admin/tickets/${ticketId}`);
    expect(await admin.page.locator('main img, main script, main b').count()).toBe(0);
    await admin.context.close();
  });

  describe('a cross-site request carrying the session cookie', () => {
    let evil: Server;
    let evilUrl: string;
    let ticketId: string;
    let before: { tickets: string[]; comments: number };

    const state = async () => {
      const tickets = (await call(stack.url, 'GET', '/tickets', { token: customer.token })).body.items.map((t: any) => t.id);
      const comments = (await call(stack.url, 'GET', `/tickets/${ticketId}`, { token: customer.token })).body.comments.length;
      return { tickets, comments };
    };

    beforeAll(async () => {
      ticketId = await fileTicket(stack.url, customer.token, 'desk', 'A ticket to attack');
      before = await state();
      // another site on the same host: same-site for the cookie (ports do not count), another origin
      evil = createServer((_req, res) => {
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end(`<!doctype html><html lang="en"><head><title>Free prizes</title></head><body>
<iframe name="sink" title="sink"></iframe>
<form id="ticket" method="POST" action="${stack.url}/tickets" enctype="text/plain" target="sink">
  <input type="hidden" name='{"repo":"desk","title":"Forged ticket","description":"x","x":"' value='"}'>
  <button>Win</button>
</form>
<script>
  // the answers are unreadable here (no-cors; the API's Cross-Origin-Resource-Policy even fails the fetch): sent is sent
  const send = (url, init) => fetch(url, { method: 'POST', mode: 'no-cors', credentials: 'include', signal: AbortSignal.timeout(10000), ...init }).then(() => 'sent', () => 'sent');
  window.forge = () => Promise.all([
    send(${JSON.stringify(`${stack.url}/tickets/${ticketId}/comments`)}, { headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ body: 'Forged comment' }) }),
    send(${JSON.stringify(`${stack.url}/auth/logout`)}, {}),
  ]);
</script></body></html>`);
      });
      await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
      evilUrl = `http://127.0.0.1:${(evil.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      await new Promise((resolve) => evil?.close(resolve));
    });

    it('from a page of another origin (a form and fetches): 403 each, nothing changes, the session lives on', async () => {
      const attacker = await context.newPage();
      // every action of the attacker's page fails within 20 s, saying which, rather than wait on for the test's end
      attacker.setDefaultTimeout(20_000);
      let formAnswer: number;
      try {
        await attacker.goto(evilUrl, { timeout: 20_000 });
        expect(await attacker.evaluate('window.forge()')).toEqual(['sent', 'sent']);
        // the form's POST navigates a frame of the attacker's page (the page itself stays, so nothing swaps it
        // to another process under the test): the answer is the API's
        const forged = attacker.waitForResponse((response) => response.url() === `${stack.url}/tickets`, { timeout: 20_000 });
        await attacker.getByRole('button', { name: 'Win' }).click();
        formAnswer = (await forged).status();
      } finally {
        await attacker.close();
        // what the attacker's own page logged (its blocked fetches) is not the app's to answer for
        stack.browser.problems.splice(0, stack.browser.problems.length, ...stack.browser.problems.filter((p) => !p.includes(` on ${evilUrl}`)));
      }

      expect(await state()).toEqual(before);
      expect(formAnswer).toBe(403);
      // still signed in, and the list in the browser is as it was
      await page.goto(`${stack.url}/app/tickets`);
      await waitForText(ticketItems(page).first(), 'A ticket to attack');
      expect(await ticketItems(page).count()).toBe(before.tickets.length);
    }, 120_000);

    it('with a wrong Origin, or none: 403 with the message naming the Origin expected; nothing changes', async () => {
      const data = { repo: 'desk', title: 'Forged ticket', description: 'x' };
      for (const headers of [{ origin: evilUrl }, { origin: 'null' }, {}] as Record<string, string>[]) {
        const response = await context.request.post(`${stack.url}/tickets`, { headers, data });
        expect(response.status()).toBe(403);
        expect(await response.json()).toEqual({ statusCode: 403, error: 'Forbidden', message: `Cross-site request refused: Origin must be ${stack.url}` });
        const comment = await context.request.post(`${stack.url}/tickets/${ticketId}/comments`, { headers, data: { body: 'Forged comment' } });
        expect(comment.status()).toBe(403);
      }
      expect(await state()).toEqual(before);
    });

    it('the same cookie with the right Origin is a signed-in request: the refusal was about the Origin alone', async () => {
      const response = await context.request.post(`${stack.url}/tickets/${ticketId}/comments`, { headers: { origin: stack.url }, data: { body: 'From the app itself' } });
      expect(response.status()).toBe(201);
      expect((await state()).comments).toBe(before.comments + 1);
    });
  });
});
