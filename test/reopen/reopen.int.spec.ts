import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import type { Queue } from 'bull';
import { SyncSweep } from '../../libs/forgejo/src/outbound/sync-sweep.js';
import { FORGEJO_QUEUE } from '../../libs/queues/src/index.js';
import { OwedSyncsQuery } from '../../libs/read-models/src/index.js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';
import { streamOf } from '../webhooks/support.js';
import { closeFromForgejo, reopenFromForgejo, reopenLinkIn } from './support.js';

const TOKEN = 'forgejo-test-token-reopen';
const SLUG = 'reopen-desk';

describe('reopening both ways: from Forgejo, and by the customer (mirrored to Forgejo once)', () => {
  let forgejo: FakeForgejo;
  let smtp: TestSmtp;
  let api: TestApi;
  let worker: INestApplicationContext;

  const view = async (token: string, id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token })).body;
  const reopen = (token: string, id: string) => call(api.url, 'POST', `/tickets/${id}/reopen`, { token });
  const types = async (id: string) => (await streamOf(api, id)).map((e) => e.type);

  /** A ticket of `customer`, its issue created in the fake Forgejo, then closed there (webhook delivered). */
  async function closedTicket(customer: { token: string }, title: string): Promise<{ id: string; number: number }> {
    const created = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: SLUG, title, description: 'd' } });
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    const number: number = await waitUntil(async () => (await view(customer.token, id)).forgejoIssueNumber, { timeoutMs: 20000, what: 'the issue linked' });
    forgejo.closeIssue(forgejo.issues.find((i) => i.number === number)!);
    // the read-back right after the link may see the closed issue first: either way it is closed, once
    expect(['closed', 'already_closed']).toContain((await closeFromForgejo(api, SLUG, number)).body.result);
    expect((await view(customer.token, id)).status).toBe('closed');
    expect((await types(id)).filter((type) => type === 'IssueClosed')).toHaveLength(1);
    return { id, number };
  }

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    smtp = await startSmtp();
    api = await startTestApi({
      ...adminEnv,
      AUTH_RATE_LIMIT: '1000',
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      FORGEJO_TIMEOUT_MS: '3000',
      FORGEJO_RETRY_BASE_MS: '50',
      FORGEJO_RETRY_MAX_MS: '200',
      FORGEJO_PROBE_INTERVAL_MS: '100',
      SMTP_URL: smtp.url,
    });
    await createRepo(api.url, await adminToken(api.url), SLUG);
    worker = await startTestWorker(api.config);
  });
  afterEach(() => {
    forgejo.behaviour = () => ({ kind: 'ok' });
    expect(forgejo.violations).toEqual([]);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await forgejo?.stop();
    await smtp?.close();
  });

  it('an issue reopened in Forgejo reopens its closed ticket, once, and nothing goes back to Forgejo', async () => {
    const customer = await newCustomer(api.url, 'fromforgejo');
    const ticket = await closedTicket(customer, 'Reopened in Forgejo');
    expect((await view(customer.token, ticket.id)).status).toBe('closed');
    const requestsBefore = forgejo.requests.length;

    expect((await reopenFromForgejo(api, SLUG, ticket.number)).body).toEqual({ result: 'reopened' });
    const shown = await view(customer.token, ticket.id);
    expect({ status: shown.status, closedAt: shown.closedAt }).toEqual({ status: 'open', closedAt: null });
    // the same reopen delivered again changes nothing
    expect((await reopenFromForgejo(api, SLUG, ticket.number)).body).toEqual({ result: 'already_open' });
    const stream = await streamOf(api, ticket.id);
    const reopens = stream.filter((e) => e.type === 'TicketReopened');
    expect(reopens).toHaveLength(1);
    expect(reopens[0].data).toMatchObject({ reopenedBy: 'forgejo' });
    expect(reopens[0].metadata).toMatchObject({ actor: { type: 'forgejo', login: 'jdoe' }, via: 'webhook' });
    // no PATCH, no comment: the issue is open already
    expect(forgejo.requests.slice(requestsBefore).filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('the customer reopens at once; 409 when open, 404 for another customer; Forgejo gets the PATCH and one comment; the echo changes nothing', async () => {
    const customer = await newCustomer(api.url, 'reopener');
    const stranger = await newCustomer(api.url, 'stranger');
    const ticket = await closedTicket(customer, 'Still broken');

    expect((await reopen(stranger.token, ticket.id)).status).toBe(404);
    expect((await call(api.url, 'POST', `/tickets/${ticket.id}/reopen`)).status).toBe(401);
    expect((await view(customer.token, ticket.id)).status).toBe('closed');

    const reopened = await reopen(customer.token, ticket.id);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ id: ticket.id, status: 'open', closedAt: null });
    // read-your-writes: the next GET shows it open
    expect((await view(customer.token, ticket.id)).status).toBe('open');
    const again = await reopen(customer.token, ticket.id);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe('the ticket is open');

    // in the background: the issue is opened again and says so, once
    await waitUntil(async () => (await types(ticket.id)).includes('ForgejoIssueReopened'), { timeoutMs: 20000, what: 'the reopen in Forgejo' });
    const patches = forgejo.requestsTo('PATCH', `/repos/acme/support-desk/issues/${ticket.number}`);
    expect(patches.map((r) => r.body)).toEqual([{ state: 'open' }]);
    const issue = forgejo.issues.find((i) => i.number === ticket.number)!;
    expect(issue.state).toBe('open');
    const comments = forgejo.comments.filter((c) => c.issue === ticket.number && c.body.includes('reopened'));
    expect(comments).toHaveLength(1);
    expect(comments[0].body).toContain('The customer reopened this ticket.');
    expect(comments[0].body).toContain(`Reopened by ${customer.email} through the support desk`);
    const stream = await streamOf(api, ticket.id);
    const recorded = stream.find((e) => e.type === 'ForgejoIssueReopened')!;
    expect(recorded.data.forgejoCommentId).toBe(comments[0].id);
    expect(stream.find((e) => e.type === 'TicketReopened')!.metadata).toMatchObject({ actor: { type: 'customer', id: customer.id }, via: 'api' });

    // Forgejo's `reopened` webhook for that PATCH: nothing new (once the close's email is recorded, the last thing due)
    await waitUntil(async () => (await types(ticket.id)).includes('NotificationSent'), { timeoutMs: 30000, what: 'the resolved email recorded' });
    const before = (await streamOf(api, ticket.id)).length;
    expect((await reopenFromForgejo(api, SLUG, ticket.number)).body).toEqual({ result: 'already_open' });
    expect(await streamOf(api, ticket.id)).toHaveLength(before);
    expect((await view(customer.token, ticket.id)).status).toBe('open');
  });

  it('a reopen comment whose answer was lost (posted, then the connection cut) is found by its marker: one comment', async () => {
    const customer = await newCustomer(api.url, 'lostanswer');
    const ticket = await closedTicket(customer, 'Lost answer');
    let cut = 0;
    forgejo.behaviour = (kind) => (kind === 'comment' && cut++ === 0 ? { kind: 'create-then-drop' } : { kind: 'ok' });
    expect((await reopen(customer.token, ticket.id)).status).toBe(200);
    await waitUntil(async () => (await types(ticket.id)).includes('ForgejoIssueReopened'), { timeoutMs: 20000, what: 'the reopen in Forgejo' });
    expect(cut).toBeGreaterThanOrEqual(1);
    const posts = forgejo.requestsTo('POST', `/repos/acme/support-desk/issues/${ticket.number}/comments`);
    expect(posts).toHaveLength(1);
    expect(forgejo.comments.filter((c) => c.issue === ticket.number)).toHaveLength(1);
    const recorded = (await streamOf(api, ticket.id)).filter((e) => e.type === 'ForgejoIssueReopened');
    expect(recorded).toHaveLength(1);
    expect(recorded[0].data.forgejoCommentId).toBe(forgejo.comments.find((c) => c.issue === ticket.number)!.id);
  });

  it('a reopen job lost from Redis while Forgejo is down is enqueued again by the sweep, and reaches Forgejo once', async () => {
    const customer = await newCustomer(api.url, 'sweep');
    const ticket = await closedTicket(customer, 'Lost job');
    forgejo.down = true;
    try {
      expect((await reopen(customer.token, ticket.id)).status).toBe(200);
      const revision = (await streamOf(api, ticket.id)).find((e) => e.type === 'TicketReopened')!.revision;
      const jobId = `reopen:${ticket.id}:${revision}`;
      const queue = worker.get<Queue>(getQueueToken(FORGEJO_QUEUE), { strict: false });
      await waitUntil(async () => ((await queue.getJob(jobId))?.attemptsMade ?? 0) >= 1, { what: 'a failed attempt' });
      // Redis loses it (a job held by an attempt cannot be removed: try again)
      await waitUntil(
        async () => {
          const job = await queue.getJob(jobId);
          if (job) await job.remove().catch(() => undefined);
          return (await queue.getJob(jobId)) === null;
        },
        { what: 'the job gone' },
      );
      expect(await worker.get(OwedSyncsQuery, { strict: false }).ticketIds()).toContain(ticket.id);
      await worker.get(SyncSweep, { strict: false }).sweep();
      expect(await queue.getJob(jobId)).not.toBeNull();
    } finally {
      forgejo.down = false;
    }
    // product.md: everything owed arrives within 2 minutes of Forgejo answering again (the sweep, every minute, is
    // the backstop when the breaker's release misses a job)
    await waitUntil(async () => (await types(ticket.id)).includes('ForgejoIssueReopened'), { timeoutMs: 120_000, what: 'the reopen in Forgejo' });
    expect(forgejo.comments.filter((c) => c.issue === ticket.number)).toHaveLength(1);
    expect(forgejo.issues.find((i) => i.number === ticket.number)!.state).toBe('open');
    // owed no more
    await waitUntil(async () => !(await worker.get(OwedSyncsQuery, { strict: false }).ticketIds()).includes(ticket.id), { what: 'nothing owed' });
  }, 180_000);

  it('409 for a ticket that was never closed', async () => {
    const customer = await newCustomer(api.url, 'neverclosed');
    const created = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: SLUG, title: 'Open', description: 'd' } });
    expect((await reopen(customer.token, created.body.id)).status).toBe(409);
    expect((await reopen(customer.token, '00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('close → reopen → close: a new close, a second resolved email, each with a link of its own', async () => {
    const customer = await newCustomer(api.url, 'twice');
    const ticket = await closedTicket(customer, 'Twice resolved');
    await waitUntil(() => smtp.mailsTo(customer.email).length === 1, { timeoutMs: 30000, what: 'the first resolved email' });

    expect((await reopen(customer.token, ticket.id)).status).toBe(200);
    await waitUntil(async () => (await types(ticket.id)).includes('ForgejoIssueReopened'), { timeoutMs: 20000, what: 'the reopen in Forgejo' });
    forgejo.closeIssue(forgejo.issues.find((i) => i.number === ticket.number)!);
    expect((await closeFromForgejo(api, SLUG, ticket.number)).body).toEqual({ result: 'closed' });
    expect((await view(customer.token, ticket.id)).status).toBe('closed');

    await waitUntil(() => smtp.mailsTo(customer.email).length === 2, { timeoutMs: 30000, what: 'the second resolved email' });
    await waitUntil(async () => (await types(ticket.id)).filter((t) => t === 'NotificationSent').length === 2, { timeoutMs: 30000, what: 'both recorded' });
    const mails = smtp.mailsTo(customer.email);
    expect(mails.map((m) => m.subject)).toEqual(['Resolved: Twice resolved', 'Resolved: Twice resolved']);
    const [first, second] = mails.map((m) => reopenLinkIn(m.text, ticket.id).token);
    expect(first).not.toBe(second);
    expect((await types(ticket.id)).filter((t) => t === 'IssueClosed')).toHaveLength(2);
  });
});
