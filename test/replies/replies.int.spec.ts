import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startSmtp, type ReceivedMail, type TestSmtp } from '../mail/smtp.js';
import { startWorker, type TestWorker } from '../mail/worker.js';
import { streamOf } from '../webhooks/support.js';
import { deliverComment } from './support.js';

const TOKEN = 'forgejo-test-token-replies';
const MAIL_FROM = 'support@tickets.example.com';
const BASE_URL = 'https://desk.example.com';

describe('team replies from Forgejo', () => {
  let forgejo: FakeForgejo;
  let smtp: TestSmtp;
  let api: TestApi;
  let worker: TestWorker;
  let admin: string;
  let slugs = 0;
  let commentIds = 50_000;

  const newRepo = async (replyMode?: 'marked' | 'all') => {
    const slug = `replies-${++slugs}`;
    const body = { slug, owner: 'acme', name: 'support-desk', webhookSecret: 'forgejo-fixture-secret', ...(replyMode ? { replyMode } : {}) };
    const created = await call(api.url, 'POST', '/admin/repos', { token: admin, body });
    expect(created.status).toBe(201);
    return slug;
  };
  /** A customer's ticket in `slug`, linked to the issue the fake Forgejo created for it. */
  const linkedTicket = async (slug: string, title = 'Printer on fire') => {
    const customer = await newCustomer(api.url, 'replies');
    const created = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: slug, title, description: 'It really is.' } });
    expect(created.status).toBe(201);
    const issueNumber: number = await waitUntil(async () => (await view(customer.token, created.body.id)).forgejoIssueNumber, { timeoutMs: 20_000, what: 'the issue linked' });
    return { customer, ticketId: created.body.id as string, issueNumber };
  };
  const view = async (token: string, ticketId: string) => (await call(api.url, 'GET', `/tickets/${ticketId}`, { token })).body;
  const eventsOf = async (ticketId: string, type: string) => (await streamOf(api, ticketId)).filter((e) => e.type === type);
  const mailsTo = (email: string) => smtp.mailsTo(email);
  const mailTo = (email: string) => waitUntil(() => smtp.mailsTo(email)[0], { timeoutMs: 30_000, what: `an email to ${email}` }) as Promise<ReceivedMail>;

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    smtp = await startSmtp();
    // webhooks alone: these deliveries' comments are made up, not in the fake Forgejo, where reconcile would look for
    // them and take them for deleted (test/reconcile covers reconcile)
    const env = { FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN, FORGEJO_TIMEOUT_MS: '3000', MAIL_FROM, BASE_URL, FORGEJO_RECONCILE_INTERVAL_S: '0' };
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', WEBHOOK_RATE_LIMIT: '100000', ...env });
    admin = await adminToken(api.url);
    worker = startWorker(api, { ...env, SMTP_URL: smtp.url });
  });
  afterEach(() => expect(forgejo.violations).toEqual([]));
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await smtp?.close();
    await forgejo?.stop();
  });

  it('marked: a comment whose first line starts with /reply reaches the customer, in the ticket and by one email', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug, 'Cart times out');
    const commentId = ++commentIds;
    const delivered = await deliverComment(api.url, slug, 'created', { issueNumber, commentId, body: '/reply Hello,\n\nit is fixed on staging.' });
    expect(delivered.body).toEqual({ result: 'reply' });

    // visible before the webhook answered
    const ticket = await view(customer.token, ticketId);
    expect(ticket.comments).toEqual([
      {
        id: expect.any(String), ticketId, body: 'Hello,\n\nit is fixed on staging.', author: 'team', authorName: 'Jane Doe', authorEmail: null,
        forgejoCommentId: commentId, createdAt: expect.any(String), editedAt: null,
      },
    ]);
    expect((await call(api.url, 'GET', `/tickets/${ticketId}/comments`, { token: customer.token })).body.items).toEqual(ticket.comments);
    expect(ticket.updatedAt).toBe(ticket.comments[0].createdAt);

    const mail = await mailTo(customer.email);
    expect(mail.subject).toBe('Re: Cart times out');
    expect(mail.text).toContain('Hello,\n\nit is fixed on staging.');
    expect(mail.text).toContain(`${BASE_URL}/app/tickets/${ticketId}`);

    const history = (await call(api.url, 'GET', `/admin/tickets/${ticketId}/history`, { token: admin })).body.events;
    const added = history.find((e: any) => e.type === 'TeamReplyAdded');
    expect(added.data).toEqual({ ticketId, replyId: ticket.comments[0].id, forgejoCommentId: commentId, body: 'Hello,\n\nit is fixed on staging.', authorName: 'Jane Doe', createdAt: expect.any(String) });
    expect(added.metadata).toMatchObject({ actor: { type: 'forgejo', login: 'jdoe' }, via: 'webhook' });
    const sent = await waitUntil(async () => (await eventsOf(ticketId, 'NotificationSent'))[0], { what: 'NotificationSent' });
    expect(sent.data).toEqual({ ticketId, notificationFor: added.id, to: customer.email, sentAt: expect.any(String) });
    expect(sent.metadata).toMatchObject({ actor: { type: 'system' }, causationId: added.id, via: 'job' });
    await worker.settled();
    expect(mailsTo(customer.email)).toHaveLength(1);
  });

  it('a NUL character in a signed comment reaches the customer as U+FFFD: 200, never a 5xx', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug, 'Odd bytes');
    const delivered = await deliverComment(api.url, slug, 'created', { issueNumber, commentId: ++commentIds, body: '/reply a\u0000b' });
    expect(delivered).toMatchObject({ status: 200, body: { result: 'reply' } });
    expect((await view(customer.token, ticketId)).comments).toMatchObject([{ body: 'a\uFFFDb', author: 'team' }]);
    await worker.settled();
  });

  it('marked: a comment without /reply changes nothing and emails no one', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug);
    for (const body of ['Reproduced on staging.', 'Reproduced.\n/reply not on the first line', '/replying later']) {
      expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: ++commentIds, body })).body).toEqual({ result: 'ignored' });
    }
    expect((await view(customer.token, ticketId)).comments).toEqual([]);
    expect(await eventsOf(ticketId, 'TeamReplyAdded')).toEqual([]);
    await worker.settled();
    expect(mailsTo(customer.email)).toEqual([]);
  });

  it('all: every comment is a reply but those whose first line starts with /internal', async () => {
    const slug = await newRepo('all');
    const { customer, ticketId, issueNumber } = await linkedTicket(slug);
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: ++commentIds, body: '/internal the cache again' })).body).toEqual({ result: 'ignored' });
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: ++commentIds, body: 'We are on it.', fullName: '' })).body).toEqual({ result: 'reply' });
    const comments = (await view(customer.token, ticketId)).comments;
    // no full name in Forgejo: the login
    expect(comments.map((c: any) => [c.author, c.authorName, c.body])).toEqual([['team', 'jdoe', 'We are on it.']]);
    await mailTo(customer.email);
    await worker.settled();
    expect(mailsTo(customer.email)).toHaveLength(1);
  });

  it.each(['marked', 'all'] as const)("%s: the echo of the service's own mirrored comment is never a reply", async (mode) => {
    const slug = await newRepo(mode);
    const { customer, ticketId, issueNumber } = await linkedTicket(slug);
    const posted = await call(api.url, 'POST', `/tickets/${ticketId}/comments`, { token: customer.token, body: { body: '/reply is what I typed' } });
    expect(posted.status).toBe(201);
    const forgejoCommentId: number = await waitUntil(async () => (await view(customer.token, ticketId)).comments[0].forgejoCommentId, { timeoutMs: 20_000, what: 'the comment mirrored' });
    const mirrored = forgejo.comments.find((c) => c.id === forgejoCommentId)!;
    expect(mirrored.body).toMatch(/<!-- ticket-bridge:comment:[0-9a-f-]+ -->$/);

    // what Forgejo sends for it: its id and its body, marker at the end (also as if it came before the link was recorded)
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: forgejoCommentId, body: mirrored.body })).body.result).toBe('ignored');
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: ++commentIds, body: mirrored.body })).body.result).toBe('ignored');
    // known by its id too, whatever its text says now
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: forgejoCommentId, body: '/reply is what I typed' })).body.result).toBe('unchanged');

    const comments = (await view(customer.token, ticketId)).comments;
    expect(comments.map((c: any) => [c.author, c.body])).toEqual([['customer', '/reply is what I typed']]);
    expect(await eventsOf(ticketId, 'TeamReplyAdded')).toEqual([]);
    await worker.settled();
    expect(mailsTo(customer.email)).toEqual([]);
  });

  it('edit then delete: the text and editedAt change, then the reply leaves the comments; the history keeps both versions', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug);
    const commentId = ++commentIds;
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId, body: '/reply Fixed.' })).body).toEqual({ result: 'reply' });
    const before = (await view(customer.token, ticketId)).comments[0];
    expect((await mailTo(customer.email)).text).toContain('Fixed.');

    expect((await deliverComment(api.url, slug, 'edited', { issueNumber, commentId, body: '/reply Fixed, and deployed.' })).body).toEqual({ result: 'reply_edited' });
    const edited = (await view(customer.token, ticketId)).comments[0];
    expect(edited).toEqual({ ...before, body: 'Fixed, and deployed.', editedAt: expect.any(String) });
    expect(Date.parse(edited.editedAt)).toBeGreaterThanOrEqual(Date.parse(before.createdAt));

    expect((await deliverComment(api.url, slug, 'deleted', { issueNumber, commentId, body: '/reply Fixed, and deployed.' })).body).toEqual({ result: 'reply_removed' });
    expect((await view(customer.token, ticketId)).comments).toEqual([]);
    expect((await deliverComment(api.url, slug, 'deleted', { issueNumber, commentId, body: '/reply Fixed, and deployed.' })).body).toEqual({ result: 'unchanged' });
    expect((await deliverComment(api.url, slug, 'edited', { issueNumber, commentId, body: '/reply back?' })).body).toEqual({ result: 'unchanged' });

    const history = (await call(api.url, 'GET', `/admin/tickets/${ticketId}/history`, { token: admin })).body.events;
    const replies = history.filter((e: any) => e.type.startsWith('TeamReply'));
    expect(replies.map((e: any) => [e.type, e.data.body])).toEqual([
      ['TeamReplyAdded', 'Fixed.'],
      ['TeamReplyEdited', 'Fixed, and deployed.'],
      ['TeamReplyRemoved', undefined],
    ]);
    expect(replies.every((e: any) => e.metadata.actor.type === 'forgejo' && e.metadata.actor.login === 'jdoe')).toBe(true);
    // one email: the reply's, none for the edit or the deletion
    await worker.settled();
    expect(mailsTo(customer.email)).toHaveLength(1);
    expect(await eventsOf(ticketId, 'NotificationSent')).toHaveLength(1);
  });

  it('an edit that takes the /reply away takes the reply back; an edit never makes a reply of another comment', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug);
    const reply = ++commentIds;
    const note = ++commentIds;
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: reply, body: '/reply Fixed.' })).body.result).toBe('reply');
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId: note, body: 'a note' })).body.result).toBe('ignored');
    expect((await deliverComment(api.url, slug, 'edited', { issueNumber, commentId: note, body: '/reply now public?' })).body.result).toBe('unchanged');
    expect((await deliverComment(api.url, slug, 'edited', { issueNumber, commentId: reply, body: 'Fixed (team only).' })).body.result).toBe('reply_removed');
    expect((await view(customer.token, ticketId)).comments).toEqual([]);
  });

  it('the same comment delivered three times: one reply, one email', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug, 'Login loops');
    const commentId = ++commentIds;
    const results = await Promise.all([1, 2, 3].map(() => deliverComment(api.url, slug, 'created', { issueNumber, commentId, body: '/reply Try again now.' })));
    expect(results.map((r) => r.body.result).sort()).toEqual(['reply', 'unchanged', 'unchanged']);
    expect((await view(customer.token, ticketId)).comments).toHaveLength(1);
    await mailTo(customer.email);
    expect((await deliverComment(api.url, slug, 'created', { issueNumber, commentId, body: '/reply Try again now.' })).body.result).toBe('unchanged');
    await worker.settled('every mail job of the deliveries');
    expect(mailsTo(customer.email)).toHaveLength(1);
    expect(await eventsOf(ticketId, 'TeamReplyAdded')).toHaveLength(1);
    expect(await eventsOf(ticketId, 'NotificationSent')).toHaveLength(1);
  });

  it('a comment on a pull request changes nothing, in either mode', async () => {
    for (const mode of ['marked', 'all'] as const) {
      const slug = await newRepo(mode);
      const { customer, ticketId, issueNumber } = await linkedTicket(slug);
      const delivered = await deliverComment(api.url, slug, 'created', { issueNumber, commentId: ++commentIds, body: '/reply merged the fix', onPull: true });
      expect(delivered.body).toEqual({ result: 'ignored' });
      expect((await view(customer.token, ticketId)).comments).toEqual([]);
      expect((await streamOf(api, ticketId)).map((e) => e.type)).toEqual(['TicketCreated', 'ForgejoIssueLinked']);
    }
  });

  it('a rebuild of the read models gives the same comments, replies included', async () => {
    const slug = await newRepo();
    const { customer, ticketId, issueNumber } = await linkedTicket(slug);
    await call(api.url, 'POST', `/tickets/${ticketId}/comments`, { token: customer.token, body: { body: 'Still broken' } });
    const kept = ++commentIds;
    const gone = ++commentIds;
    await deliverComment(api.url, slug, 'created', { issueNumber, commentId: kept, body: '/reply Look now.' });
    await deliverComment(api.url, slug, 'edited', { issueNumber, commentId: kept, body: '/reply Look now, please.' });
    await deliverComment(api.url, slug, 'created', { issueNumber, commentId: gone, body: '/reply Oops.' });
    await deliverComment(api.url, slug, 'deleted', { issueNumber, commentId: gone, body: '/reply Oops.' });
    await worker.settled();
    const snapshot = async () => (await api.db.pool.query('SELECT * FROM comments ORDER BY ticket_id, revision')).rows;
    const live = await snapshot();
    expect((await call(api.url, 'POST', '/admin/projections/rebuild', { token: admin })).status).toBe(200);
    expect(await snapshot()).toEqual(live);
    expect((await view(customer.token, ticketId)).comments.map((c: any) => [c.author, c.body])).toEqual([
      ['customer', 'Still broken'],
      ['team', 'Look now, please.'],
    ]);
  });
});

describe('replyMode on /admin/repos', () => {
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    admin = await adminToken(api.url);
  });
  afterAll(async () => api?.close());

  const post = (body: object) => call(api.url, 'POST', '/admin/repos', { token: admin, body: { owner: 'acme', name: 'desk', webhookSecret: 's3cret', ...body } });

  it('is "marked" by default, "all" when asked, shown by GET and changed by PATCH', async () => {
    expect((await post({ slug: 'mode-default' })).body.replyMode).toBe('marked');
    const created = await post({ slug: 'mode-all', replyMode: 'all' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ slug: 'mode-all', replyMode: 'all' });
    expect(created.text).not.toContain('s3cret');
    expect((await call(api.url, 'GET', '/admin/repos/mode-all', { token: admin })).body.replyMode).toBe('all');
    const patched = await call(api.url, 'PATCH', '/admin/repos/mode-all', { token: admin, body: { replyMode: 'marked' } });
    expect(patched.status).toBe(200);
    expect(patched.body.replyMode).toBe('marked');
    expect((await call(api.url, 'PATCH', '/admin/repos/mode-default', { token: admin, body: { owner: 'other' } })).body.replyMode).toBe('marked');
    const list = (await call(api.url, 'GET', '/admin/repos', { token: admin })).body;
    expect(list.map((r: any) => [r.slug, r.replyMode])).toEqual([['mode-all', 'marked'], ['mode-default', 'marked']]);
  });

  it('refuses any other value with 400 naming the field', async () => {
    for (const replyMode of ['loud', 'ALL', '', 1, null]) {
      const created = await post({ slug: `mode-bad-${Math.random().toString(36).slice(2, 8)}`, replyMode });
      expect(created.status).toBe(400);
      expect(created.text).toContain('replyMode');
    }
    await post({ slug: 'mode-patch' });
    for (const replyMode of ['loud', null, ['all']]) {
      const patched = await call(api.url, 'PATCH', '/admin/repos/mode-patch', { token: admin, body: { replyMode } });
      expect(patched.status).toBe(400);
      expect(patched.text).toContain('replyMode');
    }
    expect((await call(api.url, 'GET', '/admin/repos/mode-patch', { token: admin })).body.replyMode).toBe('marked');
  });
});
