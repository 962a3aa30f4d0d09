import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { a11yViolations, screenshot } from '../support/browser.js';
import { ADMIN, call } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { deliverComment } from '../replies/support.js';
import { FIXTURE_SECRET, fixture, fixtureHeaders } from '../webhooks/support.js';
import { customerAccount, fileTicket, h1, signedInPage, startWebStack, waitForText, type WebStack } from './support.js';

// An admin's pages in the browser: repos, every ticket, a ticket's timeline, sync failures with resync, rebuild,
// and Bull Board at /admin/queues; and what a customer gets there instead.
const LINKED = 'Invoices arrive twice';
const FAILING = 'Export stops at row 1000';

describe('an admin in the browser', () => {
  let stack: WebStack;
  let admin: { context: BrowserContext; page: Page };
  let customer: { email: string; password: string; token: string };
  let linkedId: string;
  let failingId: string;
  let page: Page;

  const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });
  const ticketView = async (id: string) => (await call(stack.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  /** A timeline item's collapsed event data. */
  const dataOf = (item: Locator) => item.locator('details', { has: page.locator('summary', { hasText: /^Data$/ }) });
  const history = async (id: string) => (await call(stack.url, 'GET', `/admin/tickets/${id}/history`, { token: stack.adminToken })).body.events as any[];

  beforeAll(async () => {
    stack = await startWebStack({ sync: true });
    customer = await customerAccount(stack.url, 'admin-pages');
    admin = await signedInPage(stack, ADMIN.email, ADMIN.password);
    page = admin.page;
  });
  afterEach(() => {
    expect(stack.browser.problems.splice(0)).toEqual([]);
    expect(stack.forgejo!.violations).toEqual([]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('shows the admin links in the navigation', async () => {
    const links = await page.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts();
    expect(links).toEqual(['Tickets', 'New ticket', 'Repos', 'All tickets', 'Sync failures', 'Rebuild', 'Queues']);
    expect(await nav('Queues').getAttribute('href')).toBe('/admin/queues');
  });

  it('creates a repo and reads its webhook URL and the Forgejo settings to enter', async () => {
    await nav('Repos').click();
    await h1(page, 'Repos').waitFor();
    await page.getByRole('heading', { level: 2, name: 'New repo' }).waitFor();
    await page.getByLabel('Slug', { exact: true }).fill('desk');
    await page.getByLabel('Owner', { exact: true }).fill('acme');
    await page.getByLabel('Name', { exact: true }).fill('support-desk');
    await page.getByLabel('Webhook secret', { exact: true }).fill(FIXTURE_SECRET);
    await page.getByLabel('Reply mode', { exact: true }).selectOption('marked');
    await page.getByRole('button', { name: 'Create repo' }).click();

    const webhookUrl = `${stack.url}/webhooks/forgejo/desk`;
    const settings = page.locator('section', { has: page.getByRole('heading', { level: 2, name: 'Forgejo webhook settings' }) });
    await waitForText(settings, webhookUrl);
    for (const shown of ['POST', 'application/json', 'Issues', 'Issue comment']) await waitForText(settings, shown);
    const row = page.getByRole('row').filter({ hasText: 'acme/support-desk' });
    await waitForText(row, 'desk');
    expect(await row.locator('code').innerText()).toBe(webhookUrl);
    await row.getByRole('button', { name: 'Edit' }).waitFor();
    await row.getByRole('button', { name: 'Rotate secret' }).waitFor();
    await row.getByRole('button', { name: 'Delete' }).waitFor();

    await admin.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: stack.url });
    await row.getByRole('button', { name: 'Copy webhook URL' }).click();
    await waitUntil(async () => (await page.evaluate('navigator.clipboard.readText()')) === webhookUrl, { what: 'the webhook URL on the clipboard' });

    // the URL read from the page takes Forgejo's deliveries signed with the secret typed in
    const delivery = await fetch(webhookUrl, { method: 'POST', headers: fixtureHeaders('issues-opened'), body: fixture('issues-opened') });
    expect(delivery.status).toBe(200);
    // the secret is never shown back once the page is reloaded
    await page.reload();
    await waitForText(page.getByRole('row').filter({ hasText: 'acme/support-desk' }), 'desk');
    expect(await page.content()).not.toContain(FIXTURE_SECRET);
  });

  it("opens a ticket's timeline from every ticket: each event, who caused it, when, its correlation id", async () => {
    linkedId = await fileTicket(stack.url, customer.token, 'desk', LINKED, 'Each invoice email comes twice.');
    const issueNumber: number = await waitUntil(async () => (await ticketView(linkedId)).forgejoIssueNumber, { timeoutMs: 20_000, what: 'the ticket linked' });
    const issue = stack.forgejo!.issues.find((i) => i.number === issueNumber)!;
    const teamComment = stack.forgejo!.teamComment(issue, '/reply We are looking into it.', { login: 'jdoe', full_name: 'Jane Doe' });
    const reply = await deliverComment(stack.url, 'desk', 'created', { issueNumber, commentId: teamComment.id, body: teamComment.body });
    expect(reply.body).toEqual({ result: 'reply' });
    expect((await call(stack.url, 'POST', `/tickets/${linkedId}/comments`, { token: customer.token, body: { body: 'Still happening today.' } })).status).toBe(201);
    await waitUntil(async () => (await ticketView(linkedId)).comments[1]?.forgejoCommentId, { timeoutMs: 20_000, what: 'the comment mirrored' });
    // the reply's email is the last event the worker adds: the history is complete once it is in
    await waitUntil(async () => (await history(linkedId)).some((e) => e.type === 'NotificationSent'), { timeoutMs: 30_000, what: 'the reply email recorded' });

    await nav('All tickets').click();
    await h1(page, 'All tickets').waitFor();
    const row = page.getByRole('row').filter({ hasText: LINKED });
    await waitForText(row, 'desk');
    await waitForText(row, 'Forgejo #1');
    await row.getByRole('link', { name: LINKED }).click();
    await h1(page, `History of ${LINKED}`).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/app/admin/tickets/${linkedId}`);

    const events = await history(linkedId);
    const items = page.getByRole('list', { name: 'Timeline' }).getByRole('listitem');
    await waitForText(items.nth(events.length - 1), events[events.length - 1].type);
    expect(await items.count()).toBe(events.length);
    for (const [i, event] of events.entries()) {
      const item = items.nth(i);
      await waitForText(item, event.type);
      await waitForText(item, event.metadata.actor.type);
      expect(await item.locator('code').allInnerTexts()).toContain(event.metadata.correlationId);
      expect(await item.locator(`time[datetime]`).count()).toBeGreaterThan(0);
      expect(await dataOf(item).count()).toBe(1);
    }
    const types = events.map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['TicketCreated', 'ForgejoIssueLinked']);
    const replyItem = items.nth(types.indexOf('TeamReplyAdded'));
    await waitForText(replyItem, 'forgejo');
    await waitForText(replyItem, 'jdoe');
    // the event's data, collapsed until opened
    const details = dataOf(replyItem);
    expect(await details.getAttribute('open')).toBeNull();
    await details.locator('summary').click();
    await waitForText(details, 'We are looking into it.');

    expect(await a11yViolations(page)).toEqual([]);
    await screenshot(page, 'admin-timeline');
  });

  it('lists a sync that failed for good and resyncs it once Forgejo is fixed: the issue is created', async () => {
    stack.forgejo!.behaviour = (kind) => (kind === 'issue' ? { kind: 'status', status: 422, message: '[Title]: Required' } : { kind: 'ok' });
    failingId = await fileTicket(stack.url, customer.token, 'desk', FAILING, 'The CSV export is cut short.');
    await waitUntil(
      async () => (await call(stack.url, 'GET', '/admin/sync-failures', { token: stack.adminToken })).body.tickets?.some((t: any) => t.ticketId === failingId),
      { timeoutMs: 20_000, what: 'the failure recorded' },
    );
    stack.forgejo!.behaviour = () => ({ kind: 'ok' });

    await nav('Sync failures').click();
    await h1(page, 'Sync failures').waitFor();
    const failure = page.getByRole('main').locator('li, tr').filter({ hasText: FAILING });
    await waitForText(failure, '422');
    expect(await a11yViolations(page)).toEqual([]);
    await failure.getByRole('button', { name: 'Resync' }).click();
    await waitForText(page.getByRole('main'), 'Resync started');

    const issueNumber = await waitUntil(async () => (await ticketView(failingId)).forgejoIssueNumber, { timeoutMs: 20_000, what: 'the issue created on resync' });
    expect(stack.forgejo!.issues.filter((i) => i.title === FAILING)).toHaveLength(1);
    await nav('All tickets').click();
    await waitForText(page.getByRole('row').filter({ hasText: FAILING }), `Forgejo #${issueNumber}`);
    await nav('Sync failures').click();
    await page.getByText('No sync failures').waitFor();
  });

  it('runs a rebuild and shows its result; the read models still show every ticket', async () => {
    const events = Number((await stack.api.db.pool.query('SELECT count(*) FROM events')).rows[0].count);
    await nav('Rebuild').click();
    await h1(page, 'Rebuild read models').waitFor();
    expect(await a11yViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Rebuild', exact: true }).click();
    await waitForText(page.getByRole('main'), /Replayed \d+ events in \d+ ms/, 30_000);
    const [, replayed] = /Replayed (\d+) events/.exec(await page.getByRole('main').innerText())!;
    expect(Number(replayed)).toBeGreaterThanOrEqual(events);
    await nav('All tickets').click();
    await waitForText(page.getByRole('row').filter({ hasText: LINKED }), 'Forgejo #1');
    await waitForText(page.getByRole('row').filter({ hasText: FAILING }), 'Forgejo #2');
  });

  it('opens the queue dashboard (Bull Board) at /admin/queues', async () => {
    await nav('Queues').click();
    await page.waitForURL(`${stack.url}/admin/queues`);
    // Bull Board lists the service's two queues once its own app has rendered
    await waitForText(page.locator('#root'), 'forgejo', 15_000);
    await waitForText(page.locator('#root'), 'mail');
    await page.goBack();
    // Bull Board's page links Google's fonts: the CSP refuses a stylesheet from elsewhere (and these machines are
    // offline); the board renders with the fonts it bundles. Nothing else on its page may go wrong.
    const board = `console error on ${stack.url}${'/admin/queues'}: Loading the stylesheet 'https://fonts.googleapis.com/`;
    stack.browser.problems.splice(0, stack.browser.problems.length, ...stack.browser.problems.filter((p) => !p.startsWith(board)));
  });

  it('a customer gets "Admins only" on every admin page, no admin links, and no /admin/queues', async () => {
    const other = await customerAccount(stack.url, 'not-admin');
    const { context, page: mine } = await signedInPage(stack, other.email, other.password);
    expect(await mine.getByRole('navigation', { name: 'Main' }).getByRole('link').allInnerTexts()).toEqual(['Tickets', 'New ticket']);
    for (const path of ['/app/admin/repos', '/app/admin/tickets', `/app/admin/tickets/${linkedId}`, '/app/admin/sync-failures', '/app/admin/rebuild']) {
      await mine.goto(`${stack.url}${path}`);
      await h1(mine, 'Admins only').waitFor();
      const text = await mine.getByRole('main').innerText();
      for (const secretive of [LINKED, FAILING, 'webhooks/forgejo', 'acme/support-desk']) expect(text).not.toContain(secretive);
      // one page is enough for axe: each admin page shows the customer the same "Admins only"
      if (path === '/app/admin/repos') expect(await a11yViolations(mine)).toEqual([]);
    }
    const queues = await mine.goto(`${stack.url}/admin/queues`);
    expect(queues!.status()).toBe(403);
    expect(await mine.locator('#root').count()).toBe(0);
    expect((await context.request.get(`${stack.url}/admin/queues/api/queues`)).status()).toBe(403);
    // not signed in at all: 401
    expect((await fetch(`${stack.url}/admin/queues`)).status).toBe(401);
    expect((await fetch(`${stack.url}/admin/queues/api/queues`)).status).toBe(401);
    await context.close();
  });
});
