import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';

const TOKEN = 'forgejo-test-token-abc123';

describe('Forgejo sync', () => {
  let forgejo: FakeForgejo;
  let api: TestApi;
  let worker: INestApplicationContext;
  let customer: { token: string; id: string; email: string };
  let admin: string;

  const fileTicket = async (title = 'Printer on fire', description = 'It really is.\n\n**Send help.**') =>
    (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title, description } })).body;
  const ticketView = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  const historyTypes = async (id: string) =>
    (await api.db.pool.query('SELECT type FROM events WHERE stream_id = $1 ORDER BY revision', [`ticket-${id}`])).rows.map((r) => r.type);
  const linkedIssue = (id: string, timeoutMs = 20000) =>
    waitUntil(async () => (await ticketView(id)).forgejoIssueNumber, { timeoutMs, what: `ticket ${id} linked` });

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN, FORGEJO_TIMEOUT_MS: '3000' });
    admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'desk');
    customer = await newCustomer(api.url);
    worker = await startTestWorker(api.config);
  });
  afterEach(() => {
    forgejo.behaviour = () => ({ kind: 'ok' });
    expect(forgejo.violations).toEqual([]);
  });
  afterAll(async () => {
    await worker.close();
    await api.close();
    await forgejo.stop();
  });

  it('creates the issue with the title, the description and a footer, and records the link', async () => {
    const ticket = await fileTicket();
    const number = await linkedIssue(ticket.id);
    const issue = forgejo.issues.find((i) => i.number === number)!;
    expect(issue.repo).toBe('acme/support-desk');
    expect(issue.title).toBe('Printer on fire');
    expect(issue.body).toBe(
      `It really is.\n\n**Send help.**\n\nSubmitted by ${customer.email} through the support desk\n\n<!-- ticket-bridge:ticket:${ticket.id} -->`,
    );
    expect(await historyTypes(ticket.id)).toEqual(['TicketCreated', 'ForgejoIssueLinked']);

    const comment = (await call(api.url, 'POST', `/tickets/${ticket.id}/comments`, { token: customer.token, body: { body: 'Still burning' } })).body;
    const forgejoCommentId = await waitUntil(
      async () => (await ticketView(ticket.id)).comments[0].forgejoCommentId,
      { what: 'comment linked' },
    );
    const posted = forgejo.comments.find((c) => c.id === forgejoCommentId)!;
    expect(posted.issue).toBe(number);
    expect(posted.body).toBe(`Still burning\n\nComment by ${customer.email} through the support desk\n\n<!-- ticket-bridge:comment:${comment.id} -->`);
  });

  it('delivers a comment made before the issue exists once, after the link', async () => {
    forgejo.behaviour = (kind) => (kind === 'issue' ? { kind: 'ok', delayMs: 1500 } : { kind: 'ok' });
    const ticket = await fileTicket('Early comment');
    await call(api.url, 'POST', `/tickets/${ticket.id}/comments`, { token: customer.token, body: { body: 'before the issue' } });
    const number = await linkedIssue(ticket.id);
    await waitUntil(async () => (await ticketView(ticket.id)).comments[0].forgejoCommentId, { what: 'comment linked' });
    const mine = forgejo.comments.filter((c) => c.body.startsWith('before the issue'));
    expect(mine).toHaveLength(1);
    expect(mine[0].issue).toBe(number);
  });

  it('after two 500s, succeeds with one issue', async () => {
    const before = forgejo.creates('issue').length;
    forgejo.behaviour = (kind, attempt) => (kind === 'issue' && attempt <= 2 + before ? { kind: 'status', status: 500 } : { kind: 'ok' });
    const ticket = await fileTicket('Flaky Forgejo');
    await linkedIssue(ticket.id);
    expect(forgejo.issues.filter((i) => i.title === 'Flaky Forgejo')).toHaveLength(1);
    expect(forgejo.creates('issue').length - before).toBe(3);
  });

  it('waits for Retry-After after a 429', async () => {
    const before = forgejo.creates('issue').length;
    forgejo.behaviour = (kind, attempt) =>
      kind === 'issue' && attempt === before + 1 ? { kind: 'status', status: 429, headers: { 'retry-after': '2' } } : { kind: 'ok' };
    const ticket = await fileTicket('Rate limited');
    await linkedIssue(ticket.id);
    const [first, second] = forgejo.creates('issue').slice(before);
    expect(second.at - first.at).toBeGreaterThanOrEqual(2000);
    expect(forgejo.issues.filter((i) => i.title === 'Rate limited')).toHaveLength(1);
  });

  it('after the issue was created but the answer was cut off, still has exactly one issue', async () => {
    const before = forgejo.creates('issue').length;
    forgejo.behaviour = (kind, attempt) => (kind === 'issue' && attempt === before + 1 ? { kind: 'create-then-drop' } : { kind: 'ok' });
    const ticket = await fileTicket('Dropped answer');
    const number = await linkedIssue(ticket.id);
    const issues = forgejo.issues.filter((i) => i.title === 'Dropped answer');
    expect(issues).toHaveLength(1);
    expect(issues[0].number).toBe(number);
    expect(forgejo.creates('issue').length - before).toBe(1);
  });

  it('gives up at once on a 422, records it in the history, keeps the ticket readable; resync tries again', async () => {
    const before = forgejo.creates('issue').length;
    forgejo.behaviour = (kind) => (kind === 'issue' ? { kind: 'status', status: 422, message: '[Title]: Required' } : { kind: 'ok' });
    const ticket = await fileTicket('Refused');
    await waitUntil(async () => (await historyTypes(ticket.id)).includes('ForgejoIssueSyncFailed'), { what: 'failure event' });
    // some time for a retry storm to show, if there were one
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(forgejo.creates('issue').length - before).toBe(1);
    const view = await call(api.url, 'GET', `/tickets/${ticket.id}`, { token: customer.token });
    expect(view.status).toBe(200);
    expect(view.body.forgejoIssueNumber).toBeNull();
    const history = (await api.db.pool.query('SELECT data FROM events WHERE stream_id = $1 AND type = $2', [`ticket-${ticket.id}`, 'ForgejoIssueSyncFailed'])).rows;
    expect(history[0].data.reason).toContain('422');

    forgejo.behaviour = () => ({ kind: 'ok' });
    const resync = await call(api.url, 'POST', `/admin/tickets/${ticket.id}/resync`, { token: admin });
    expect(resync.status).toBe(202);
    await linkedIssue(ticket.id);
    expect(await historyTypes(ticket.id)).toEqual(['TicketCreated', 'ForgejoIssueSyncFailed', 'ForgejoSyncRetryRequested', 'ForgejoIssueLinked']);
    expect((await call(api.url, 'POST', `/admin/tickets/${ticket.id}/resync`, { token: customer.token })).status).toBe(403);
    expect((await call(api.url, 'POST', '/admin/tickets/00000000-0000-4000-8000-000000000000/resync', { token: admin })).status).toBe(404);
  });
});
