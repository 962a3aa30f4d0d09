import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { REQUESTS_PER_LOOK, ReconcilePass } from '../../libs/forgejo/src/reconcile/reconcile-pass.js';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';
import { deliverComment } from '../replies/support.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo, type FakeComment, type FakeIssue } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';
import { closedPayload, deliver, fixture, forgejoHeaders, streamOf } from '../webhooks/support.js';

const TOKEN = 'forgejo-test-token-reconcile';
const INTERVAL_S = 1;

/** The issue_comment/created delivery Forgejo would have sent for a comment of the fake. */
function commentPayload(comment: FakeComment): string {
  const payload = JSON.parse(fixture('issue_comment-created').toString('utf8'));
  payload.issue.number = comment.issue;
  payload.comment.id = comment.id;
  payload.comment.body = comment.body;
  payload.comment.user.login = comment.user?.login ?? 'alice';
  payload.comment.user.full_name = comment.user?.full_name ?? '';
  return JSON.stringify(payload);
}

describe('reconcile: what Forgejo changed without a webhook reaches the ticket, once', () => {
  let forgejo: FakeForgejo;
  let smtp: TestSmtp;
  let api: TestApi;
  let worker: INestApplicationContext;
  let second: INestApplicationContext | undefined;
  let admin: string;

  const view = async (token: string, id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token })).body;
  /** A new customer's ticket in `slug`, linked; its Forgejo issue. */
  const linkedTicket = async (slug: string, title: string) => {
    const customer = await newCustomer(api.url, slug);
    const reply = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: slug, title, description: 'd' } });
    expect(reply.status).toBe(201);
    const id: string = reply.body.id;
    const number = await waitUntil(async () => (await view(customer.token, id)).forgejoIssueNumber, { timeoutMs: 20000, what: `ticket ${id} linked` });
    const issue = forgejo.issues.find((i) => i.number === number && i.title === title)!;
    return { id, customer, issue };
  };
  /** Waits until reconcile has completed `count` more looks at the repository after now: what they would change has been changed. */
  const passesAfter = async (count = 2) => {
    let since = new Date();
    for (let i = 0; i < count; i++) {
      const after = since;
      since = (await waitUntil(
        async (): Promise<Date | null> => {
          const { rows } = await api.db.pool.query<{ updated_at: Date }>('SELECT max(updated_at) AS updated_at FROM forgejo_reconcile_progress');
          return rows[0].updated_at && rows[0].updated_at > after ? rows[0].updated_at : null;
        },
        { timeoutMs: 15000, what: 'a reconcile pass' },
      ))!;
    }
  };
  const eventsOf = async (id: string, type: string) => (await streamOf(api, id)).filter((e) => e.type === type);
  const closeWebhook = (slug: string, issue: FakeIssue) => {
    const body = closedPayload(issue.number);
    return deliver(api.url, slug, body, forgejoHeaders('issues', 'issues', body));
  };

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    smtp = await startSmtp();
    api = await startTestApi({
      ...adminEnv,
      AUTH_RATE_LIMIT: '1000',
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      FORGEJO_TIMEOUT_MS: '3000',
      FORGEJO_RECONCILE_INTERVAL_S: String(INTERVAL_S),
      SMTP_URL: smtp.url,
    });
    admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'recon');
    worker = await startTestWorker(api.config);
  });
  afterEach(() => {
    forgejo.down = false;
    expect(forgejo.violations).toEqual([]);
  });
  afterAll(async () => {
    await second?.close();
    await worker?.close();
    await api?.close();
    await forgejo?.stop();
    await smtp?.close();
  });

  it('a close made in Forgejo with no webhook closes the ticket within the interval, with one email; its late webhook changes nothing', async () => {
    const { id, customer, issue } = await linkedTicket('recon', 'Closed in silence');
    forgejo.closeIssue(issue);
    const started = Date.now();
    await waitUntil(async () => (await view(customer.token, id)).status === 'closed', { timeoutMs: 15000, what: 'the ticket closed' });
    // one interval, plus the pass's own work
    expect(Date.now() - started).toBeLessThan(INTERVAL_S * 1000 + 4000);
    const [closed, ...more] = await eventsOf(id, 'IssueClosed');
    expect(more).toHaveLength(0);
    expect(closed.metadata).toMatchObject({ via: 'reconcile', actor: { type: 'forgejo' } });
    await waitUntil(() => smtp.mailsTo(customer.email).length > 0, { timeoutMs: 30000, what: 'the resolved email' });
    expect(smtp.mailsTo(customer.email)[0].subject).toContain('Closed in silence');

    expect((await closeWebhook('recon', issue)).body).toEqual({ result: 'already_closed' });
    await waitUntil(async () => (await eventsOf(id, 'NotificationSent')).length > 0, { timeoutMs: 30000, what: 'the notification recorded' });
    await passesAfter();
    expect(await eventsOf(id, 'IssueClosed')).toHaveLength(1);
    expect(smtp.mailsTo(customer.email)).toHaveLength(1);
  });

  it('a reopen made in Forgejo with no webhook reopens the ticket; a pass before it never reopens a ticket closed since', async () => {
    const { id, customer, issue } = await linkedTicket('recon', 'Reopened in silence');
    // closed by its webhook: reconcile's later looks see a closed issue and a closed ticket, and leave them
    forgejo.closeIssue(issue);
    // a pass may see the closed issue before the webhook comes: either way the ticket is closed, once
    expect(['closed', 'already_closed']).toContain((await closeWebhook('recon', issue)).body.result);
    await passesAfter();
    expect((await view(customer.token, id)).status).toBe('closed');
    forgejo.reopenIssue(issue);
    await waitUntil(async () => (await view(customer.token, id)).status === 'open', { timeoutMs: 15000, what: 'the ticket reopened' });
    const reopened = await eventsOf(id, 'TicketReopened');
    expect(reopened).toHaveLength(1);
    expect(reopened[0].data.reopenedBy).toBe('forgejo');
    expect(reopened[0].metadata).toMatchObject({ via: 'reconcile' });
  });

  it('a reply made in Forgejo with no webhook reaches the ticket and the customer once; its late webhook and an edit follow', async () => {
    const { id, customer, issue } = await linkedTicket('recon', 'Answered in silence');
    const comment = forgejo.teamComment(issue, '/reply The fix is on its way.');
    forgejo.teamComment(issue, 'internal note: the customer is right');
    const reply = await waitUntil(async () => (await view(customer.token, id)).comments.find((c: any) => c.author === 'team'), { timeoutMs: 15000, what: 'the reply' });
    expect(reply).toMatchObject({ body: 'The fix is on its way.', author: 'team', forgejoCommentId: comment.id });
    const added = await eventsOf(id, 'TeamReplyAdded');
    expect(added).toHaveLength(1);
    expect(added[0].metadata).toMatchObject({ via: 'reconcile' });
    await waitUntil(() => smtp.mailsTo(customer.email).length > 0, { timeoutMs: 30000, what: 'the reply email' });
    expect(smtp.mailsTo(customer.email)[0].subject).toBe('Re: Answered in silence');

    const late = commentPayload(comment);
    const delivered = await deliver(api.url, 'recon', late, forgejoHeaders('issue_comment', 'issue_comment', late));
    expect(delivered.status).toBe(200);
    expect(delivered.body).toEqual({ result: 'unchanged' });

    forgejo.editComment(comment, '/reply The fix is out.');
    await waitUntil(async () => (await view(customer.token, id)).comments.find((c: any) => c.author === 'team')?.body === 'The fix is out.', { timeoutMs: 15000, what: 'the edit' });
    await passesAfter();
    expect(await eventsOf(id, 'TeamReplyAdded')).toHaveLength(1);
    const edits = await eventsOf(id, 'TeamReplyEdited');
    expect(edits).toHaveLength(1);
    expect(edits[0].metadata).toMatchObject({ via: 'reconcile' });
    expect((await view(customer.token, id)).comments.filter((c: any) => c.author === 'team')).toHaveLength(1);
    expect(smtp.mailsTo(customer.email)).toHaveLength(1);
  });

  it('a reply deleted in Forgejo with no webhook leaves the ticket within the interval; its late webhook changes nothing', async () => {
    const { id, customer, issue } = await linkedTicket('recon', 'Answer taken back');
    const comment = forgejo.teamComment(issue, '/reply Restart the export and it will finish.');
    const created = await deliverComment(api.url, 'recon', 'created', { issueNumber: issue.number, commentId: comment.id, body: comment.body });
    // a pass may have read the reply before its webhook came: either way the ticket holds it, once
    expect(['reply', 'unchanged']).toContain(created.body.result);
    const teamComments = async () => (await view(customer.token, id)).comments.filter((c: any) => c.author === 'team');
    expect(await teamComments()).toEqual([expect.objectContaining({ body: 'Restart the export and it will finish.', forgejoCommentId: comment.id })]);
    await waitUntil(() => smtp.mailsTo(customer.email).length > 0, { timeoutMs: 30000, what: 'the reply email' });

    const before = forgejo.requests.length;
    forgejo.deleteComment(comment);
    const started = Date.now();
    await waitUntil(async () => (await teamComments()).length === 0, { timeoutMs: 15000, what: 'the reply gone from the ticket' });
    // one interval, plus the pass's own work
    expect(Date.now() - started).toBeLessThan(INTERVAL_S * 1000 + 4000);
    const history = async () => (await call(api.url, 'GET', `/admin/tickets/${id}/history`, { token: admin })).body.events.filter((e: any) => e.type === 'TeamReplyRemoved');
    const [removed, ...more] = await history();
    expect(more).toHaveLength(0);
    expect(removed.data).toMatchObject({ forgejoCommentId: comment.id });
    expect(removed.metadata).toMatchObject({ via: 'reconcile', actor: { type: 'forgejo' } });

    const late = await deliverComment(api.url, 'recon', 'deleted', { issueNumber: issue.number, commentId: comment.id, body: comment.body });
    expect(late.status).toBe(200);
    expect(late.body).toEqual({ result: 'unchanged' });
    await passesAfter();
    expect(await history()).toHaveLength(1);
    expect(await teamComments()).toEqual([]);
    // the reply's email, and none for its deletion
    expect(smtp.mailsTo(customer.email)).toHaveLength(1);
    // reconcile asked for the comments of changed issues holding replies only (the earlier tests' closed and
    // reopened issues changed within the look's overlap too, and hold none)
    const commentLists = forgejo.requests.slice(before).filter((r) => r.method === 'GET' && /^\/repos\/acme\/support-desk\/issues\/\d+\/comments$/.test(r.path));
    const asked = new Set(commentLists.filter((r) => !r.query.has('since')).map((r) => Number(r.path.split('/')[5])));
    expect(asked.has(issue.number)).toBe(true);
    const holdingReplies = new Set([issue.number, ...forgejo.comments.filter((c) => c.user).map((c) => c.issue)]);
    expect([...asked].filter((n) => !holdingReplies.has(n))).toEqual([]);
  });

  it('a Forgejo that is down skips the passes; the close is applied once it answers again', async () => {
    const { id, customer, issue } = await linkedTicket('recon', 'Closed while Forgejo was down');
    forgejo.down = true;
    forgejo.closeIssue(issue);
    const before = forgejo.requests.length;
    await waitUntil(() => forgejo.requests.slice(before).some((r) => r.path.endsWith('/issues') && r.method === 'GET'), { what: 'a pass meeting the down Forgejo' });
    expect((await view(customer.token, id)).status).toBe('open');
    forgejo.down = false;
    await waitUntil(async () => (await view(customer.token, id)).status === 'closed', { timeoutMs: 15000, what: 'the ticket closed' });
    expect(await eventsOf(id, 'IssueClosed')).toHaveLength(1);
  });

  it('a backlog bigger than one window is read window by window, within what one pass may ask of Forgejo', async () => {
    const { id, customer, issue } = await linkedTicket('recon', 'Closed in a backlog');
    // the test holds the reconcile lock: the workers' own passes skip, and this one runs alone
    const lock = new pg.Client({ connectionString: api.db.url });
    await lock.connect();
    try {
      await waitUntil(async () => (await lock.query("SELECT pg_try_advisory_lock(hashtext('forgejo-reconcile')) AS locked")).rows[0].locked, { what: 'the reconcile lock' });
      const now = Date.now();
      const at = (ms: number) => new Date(now - ms).toISOString();
      // 1,500 other issues changed over the last 20 minutes, more than one window reads (20 pages of 50)
      for (let i = 0; i < 1500; i++) {
        forgejo.issues.push({ id: 900_000 + i, number: 100_000 + i, title: 'noise', body: '', repo: 'acme/support-desk', state: 'open', closed_at: null, created_at: at(1_200_000), updated_at: at(1_200_000 - i * 500) });
      }
      forgejo.closeIssue(issue);
      issue.updated_at = at(600_000);
      await api.db.pool.query('UPDATE forgejo_reconcile_progress SET since = $1', [new Date(now - 1_500_000)]);
      const before = forgejo.requests.length;
      const [look] = await worker.get(ReconcilePass).run();
      expect(look).toMatchObject({ key: 'acme/support-desk', complete: true, applied: 1 });
      expect(look.requests).toBeLessThanOrEqual(REQUESTS_PER_LOOK);
      expect(forgejo.requests.slice(before).some((r) => r.query.has('before'))).toBe(true);
      expect((await view(customer.token, id)).status).toBe('closed');
      const { rows } = await api.db.pool.query('SELECT since FROM forgejo_reconcile_progress');
      expect(rows[0].since.getTime()).toBeGreaterThanOrEqual(now);
    } finally {
      await lock.end();
    }
  });

  it('two workers running reconcile apply each change once, even when their passes run at the same moment', async () => {
    second = await startTestWorker(api.config);
    const first = await linkedTicket('recon', 'Seen by two workers');
    forgejo.closeIssue(first.issue);
    await waitUntil(async () => (await view(first.customer.token, first.id)).status === 'closed', { timeoutMs: 15000, what: 'the ticket closed' });

    // past the lock: both passes at once, each reading the same close
    const other = await linkedTicket('recon', 'Read twice at once');
    forgejo.closeIssue(other.issue);
    await Promise.all([worker.get(ReconcilePass).run(), second.get(ReconcilePass).run()]);
    expect((await view(other.customer.token, other.id)).status).toBe('closed');

    for (const { id } of [first, other]) {
      await waitUntil(async () => (await eventsOf(id, 'NotificationSent')).length > 0, { timeoutMs: 30000, what: 'the notification recorded' });
    }
    await passesAfter();
    for (const { id, customer } of [first, other]) {
      expect(await eventsOf(id, 'IssueClosed')).toHaveLength(1);
      expect(smtp.mailsTo(customer.email)).toHaveLength(1);
    }
  });
});
