import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';
import { closedPayload, deliver, forgejoHeaders, streamOf } from '../webhooks/support.js';

const TOKEN = 'forgejo-test-token-move42';

/** A signed issues/closed delivery from `owner/name` for issue `number`, to the slug's webhook. */
async function closeFrom(api: TestApi, slug: string, owner: string, name: string, number: number) {
  const payload = JSON.parse(closedPayload(number));
  payload.repository.owner.login = owner;
  payload.repository.name = name;
  payload.repository.full_name = `${owner}/${name}`;
  const body = JSON.stringify(payload);
  return deliver(api.url, slug, body, forgejoHeaders('issues', 'issues', body));
}

describe('tickets keep their Forgejo repository; an issue closed before its link', () => {
  let forgejo: FakeForgejo;
  let smtp: TestSmtp;
  let api: TestApi;
  let worker: INestApplicationContext;
  let admin: string;
  let customer: { token: string; email: string };

  const file = async (slug: string, title: string) => {
    const started = Date.now();
    const reply = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: slug, title, description: 'd' } });
    expect(reply.status).toBe(201);
    return { id: reply.body.id as string, tookMs: Date.now() - started };
  };
  const view = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  const linked = (id: string) => waitUntil(async () => (await view(id)).forgejoIssueNumber, { timeoutMs: 20000, what: `ticket ${id} linked` });

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    smtp = await startSmtp();
    api = await startTestApi({
      ...adminEnv,
      AUTH_RATE_LIMIT: '1000',
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      FORGEJO_TIMEOUT_MS: '3000',
      SMTP_URL: smtp.url,
    });
    admin = await adminToken(api.url);
    customer = await newCustomer(api.url);
    worker = await startTestWorker(api.config);
  });
  afterEach(() => {
    forgejo.onIssueCreated = () => undefined;
    expect(forgejo.violations).toEqual([]);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await forgejo?.stop();
    await smtp?.close();
  });

  it('after the repo moved to a repository with overlapping numbers: new tickets sync there, each close and comment goes by the issue’s repository', async () => {
    await createRepo(api.url, admin, 'moving');
    const old = await file('moving', 'Old ticket');
    expect(await linked(old.id)).toBe(1);
    expect(forgejo.issues.find((i) => i.title === 'Old ticket')!.repo).toBe('acme/support-desk');

    expect((await call(api.url, 'PATCH', '/admin/repos/moving', { token: admin, body: { name: 'new-desk' } })).status).toBe(200);
    const moved = await file('moving', 'New ticket');
    // fast and visible at once, although its issue number repeats one of the slug's
    expect(moved.tookMs).toBeLessThan(2000);
    expect((await view(moved.id)).title).toBe('New ticket');
    expect(await linked(moved.id)).toBe(1);
    expect(forgejo.issues.find((i) => i.title === 'New ticket')!.repo).toBe('acme/new-desk');
    const another = await file('moving', 'Another new ticket');
    expect(another.tookMs).toBeLessThan(2000);
    expect(await linked(another.id)).toBe(2);
    const list = await call(api.url, 'GET', '/tickets', { token: customer.token });
    expect(list.status).toBe(200);

    expect((await closeFrom(api, 'moving', 'acme', 'new-desk', 1)).body).toEqual({ result: 'closed' });
    expect((await view(moved.id)).status).toBe('closed');
    expect((await view(old.id)).status).toBe('open');
    expect((await view(another.id)).status).toBe('open');

    // a comment on the old ticket goes to the old repository's issue
    const comment = await call(api.url, 'POST', `/tickets/${old.id}/comments`, { token: customer.token, body: { body: 'still here' } });
    expect(comment.status).toBe(201);
    const forgejoCommentId = await waitUntil(async () => (await view(old.id)).comments[0]?.forgejoCommentId, { what: 'comment linked' });
    const posted = forgejo.comments.find((c) => c.id === forgejoCommentId)!;
    expect({ repo: posted.repo, issue: posted.issue }).toEqual({ repo: 'acme/support-desk', issue: 1 });

    expect((await closeFrom(api, 'moving', 'acme', 'support-desk', 1)).body).toEqual({ result: 'closed' });
    expect((await view(old.id)).status).toBe('closed');
    expect((await view(another.id)).status).toBe('open');
  });

  it('a ticket whose issue is closed before the link is recorded ends closed, with one email', async () => {
    await createRepo(api.url, admin, 'early-close');
    // a customer of its own, whose mailbox holds only this ticket's emails
    customer = await newCustomer(api.url, 'early');
    let webhookResult: unknown;
    forgejo.onIssueCreated = async (issue) => {
      // someone closes it in Forgejo at once; its webhook arrives before the service knows the link
      forgejo.closeIssue(issue);
      webhookResult = (await closeFrom(api, 'early-close', 'acme', 'support-desk', issue.number)).body;
    };
    const ticket = await file('early-close', 'Closed at once');
    await waitUntil(async () => (await view(ticket.id)).status === 'closed', { timeoutMs: 20000, what: 'the ticket closed' });
    expect(webhookResult).toEqual({ result: 'not_found' });
    const stream = await streamOf(api, ticket.id);
    expect(stream.map((e) => e.type).slice(0, 3)).toEqual(['TicketCreated', 'ForgejoIssueLinked', 'IssueClosed']);
    expect(stream[2].metadata).toMatchObject({ actor: { type: 'forgejo' }, via: 'link' });
    await waitUntil(() => smtp.mailsTo(customer.email).length > 0, { timeoutMs: 30000, what: 'the resolved email' });
    expect(smtp.mailsTo(customer.email)[0].subject).toContain('Closed at once');

    // a later delivery of the same close changes nothing and sends nothing
    const number = (await view(ticket.id)).forgejoIssueNumber;
    expect((await closeFrom(api, 'early-close', 'acme', 'support-desk', number)).body).toEqual({ result: 'already_closed' });
    await waitUntil(async () => (await streamOf(api, ticket.id)).some((e) => e.type === 'NotificationSent'), { timeoutMs: 30000, what: 'the notification recorded' });
    expect(smtp.mailsTo(customer.email)).toHaveLength(1);
    expect((await streamOf(api, ticket.id)).filter((e) => e.type === 'IssueClosed')).toHaveLength(1);
  });
});
