import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer, type Reply } from '../support/http.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('tickets and comments', () => {
  let api: TestApi;
  let alice: { token: string; id: string; email: string };
  let bob: { token: string; id: string; email: string };

  const eventCount = async () => Number((await api.db.pool.query('SELECT count(*) FROM events')).rows[0].count);
  const streamOf = async (ticketId: string) =>
    (await api.db.pool.query('SELECT revision, type, data, metadata FROM events WHERE stream_id = $1 ORDER BY revision', [`ticket-${ticketId}`])).rows;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    await createRepo(api.url, await adminToken(api.url), 'support-desk');
    alice = await newCustomer(api.url, 'alice');
    bob = await newCustomer(api.url, 'bob');
  });
  afterAll(async () => {
    await api.close();
  });

  it('files a ticket that a GET shows at once, with its event in the history', async () => {
    const created = await call(api.url, 'POST', '/tickets', {
      token: alice.token,
      body: { repo: 'support-desk', title: 'Printer on fire', description: 'It really is.\n\nSend help.' },
      headers: { 'x-request-id': 'corr-123' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      repo: 'support-desk',
      title: 'Printer on fire',
      description: 'It really is.\n\nSend help.',
      status: 'open',
      forgejoIssueNumber: null,
      createdAt: expect.stringMatching(ISO),
      updatedAt: created.body.createdAt,
      closedAt: null,
      comments: [],
      commentsNextCursor: null,
    });
    const read = await call(api.url, 'GET', `/tickets/${created.body.id}`, { token: alice.token });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);

    const [event] = await streamOf(created.body.id);
    expect(event.type).toBe('TicketCreated');
    expect(event.revision).toBe(0);
    expect(event.data).toMatchObject({ ticketId: created.body.id, customerId: alice.id, customerEmail: alice.email, title: 'Printer on fire' });
    expect(event.metadata).toEqual({
      actor: { type: 'customer', id: alice.id },
      correlationId: 'corr-123',
      causationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      via: 'api',
    });
  });

  it('adds comments that a GET shows at once, in order', async () => {
    const ticket = (await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: 'support-desk', title: 'T', description: 'D' } })).body;
    const first = await call(api.url, 'POST', `/tickets/${ticket.id}/comments`, { token: alice.token, body: { body: 'first' } });
    expect(first.status).toBe(201);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ticketId: ticket.id,
      body: 'first',
      author: 'customer',
      authorName: alice.email,
      authorEmail: alice.email,
      forgejoCommentId: null,
      createdAt: expect.stringMatching(ISO),
      editedAt: null,
    });
    await call(api.url, 'POST', `/tickets/${ticket.id}/comments`, { token: alice.token, body: { body: 'second' } });
    const read = await call(api.url, 'GET', `/tickets/${ticket.id}`, { token: alice.token });
    expect(read.body.comments.map((c: { body: string }) => c.body)).toEqual(['first', 'second']);
    expect(read.body.comments[0]).toEqual(first.body);
    expect(read.body.updatedAt >= first.body.createdAt).toBe(true);
  });

  it('keeps 100 concurrent comments on one ticket: contiguous revisions, all visible', async () => {
    const ticket = (await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: 'support-desk', title: 'Busy', description: 'D' } })).body;
    const replies = await Promise.all(
      Array.from({ length: 100 }, (_, i) => call(api.url, 'POST', `/tickets/${ticket.id}/comments`, { token: alice.token, body: { body: `comment ${i}` } })),
    );
    expect(replies.map((r) => r.status)).toEqual(Array(100).fill(201));
    const stream = await streamOf(ticket.id);
    const comments = stream.filter((e) => e.type === 'CommentAdded');
    expect(comments).toHaveLength(100);
    expect(stream.map((e) => e.revision)).toEqual(Array.from({ length: 101 }, (_, i) => i));
    const read = await call(api.url, 'GET', `/tickets/${ticket.id}`, { token: alice.token });
    expect(read.body.comments).toHaveLength(100);
    expect(new Set(read.body.comments.map((c: { body: string }) => c.body)).size).toBe(100);
    expect(read.body.comments.map((c: { id: string }) => c.id)).toEqual(comments.map((e) => e.data.commentId));
  });

  it('lists only the caller’s own tickets, newest first, a cursor at a time', async () => {
    const carol = await newCustomer(api.url, 'carol');
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await call(api.url, 'POST', '/tickets', { token: carol.token, body: { repo: 'support-desk', title: `t${i}`, description: 'd' } })).body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Reply = await call(api.url, 'GET', `/tickets?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: carol.token });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      for (const item of page.body.items) expect(item).not.toHaveProperty('comments');
      seen.push(...page.body.items.map((t: { id: string }) => t.id));
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());
    const all = await call(api.url, 'GET', '/tickets', { token: carol.token });
    expect(all.body).toEqual({ items: expect.any(Array), nextCursor: null });
    expect(all.body.items).toHaveLength(5);
    const bobs = await call(api.url, 'GET', '/tickets', { token: bob.token });
    expect(bobs.body.items.filter((t: { id: string }) => ids.includes(t.id))).toEqual([]);
  });

  it('hides another customer’s ticket: 404 to read or comment, nothing appended', async () => {
    const ticket = (await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: 'support-desk', title: 'Mine', description: 'd' } })).body;
    const before = await eventCount();
    expect((await call(api.url, 'GET', `/tickets/${ticket.id}`, { token: bob.token })).status).toBe(404);
    const comment = await call(api.url, 'POST', `/tickets/${ticket.id}/comments`, { token: bob.token, body: { body: 'hi' } });
    expect(comment.status).toBe(404);
    expect(comment.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'ticket not found' });
    expect(await eventCount()).toBe(before);
  });

  describe('refuses bad input with a clear 4xx and appends nothing', () => {
    const long = (n: number) => 'x'.repeat(n);
    const cases: Array<[string, string, string, unknown, number, RegExp]> = [
      ['missing title', 'POST', '/tickets', { repo: 'support-desk', description: 'd' }, 400, /title/],
      ['empty title', 'POST', '/tickets', { repo: 'support-desk', title: '', description: 'd' }, 400, /title/],
      ['title of 256', 'POST', '/tickets', { repo: 'support-desk', title: long(256), description: 'd' }, 400, /title/],
      ['title not a string', 'POST', '/tickets', { repo: 'support-desk', title: 42, description: 'd' }, 400, /title/],
      ['missing description', 'POST', '/tickets', { repo: 'support-desk', title: 't' }, 400, /description/],
      ['description of 65536', 'POST', '/tickets', { repo: 'support-desk', title: 't', description: long(65536) }, 400, /description/],
      ['unknown repo', 'POST', '/tickets', { repo: 'no-such-repo', title: 't', description: 'd' }, 400, /repo/],
      ['missing repo', 'POST', '/tickets', { title: 't', description: 'd' }, 400, /repo/],
      ['unknown property', 'POST', '/tickets', { repo: 'support-desk', title: 't', description: 'd', status: 'closed' }, 400, /status/],
      ['not JSON', 'POST', '/tickets', '{"repo": "support-desk",', 400, /JSON/i],
      ['a JSON array', 'POST', '/tickets', [], 400, /./],
      ['JSON null', 'POST', '/tickets', 'null', 400, /./],
      ['a JSON string', 'POST', '/tickets', '"hello"', 400, /./],
      ['empty comment', 'POST', '/tickets/:id/comments', { body: '' }, 400, /body/],
      ['comment of 65536', 'POST', '/tickets/:id/comments', { body: long(65536) }, 400, /body/],
      ['comment not a string', 'POST', '/tickets/:id/comments', { body: ['x'] }, 400, /body/],
      ['comment with an unknown property', 'POST', '/tickets/:id/comments', { body: 'x', author: 'me' }, 400, /author/],
      ['comment on an unknown ticket', 'POST', '/tickets/00000000-0000-4000-8000-000000000000/comments', { body: 'x' }, 404, /ticket/],
      ['comment on a malformed id', 'POST', '/tickets/not-a-uuid/comments', { body: 'x' }, 404, /ticket/],
      ['limit over 100', 'GET', '/tickets?limit=101', undefined, 400, /limit/],
      ['limit of 0', 'GET', '/tickets?limit=0', undefined, 400, /limit/],
      ['limit not a number', 'GET', '/tickets?limit=ten', undefined, 400, /limit/],
      ['a forged cursor', 'GET', '/tickets?cursor=bm9wZQ', undefined, 400, /cursor/],
      ['an unknown query parameter', 'GET', '/tickets?owner=everyone', undefined, 400, /owner/],
      ['an unknown ticket', 'GET', '/tickets/00000000-0000-4000-8000-000000000000', undefined, 404, /ticket/],
    ];
    let ticketId: string;
    beforeAll(async () => {
      ticketId = (await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: 'support-desk', title: 'V', description: 'd' } })).body.id;
    });
    it.each(cases.map(([name, ...rest]) => [`${name} → ${rest[3]}`, ...rest] as typeof cases[number]))('%s', async (_, method, path, body, status, message) => {
      const before = await eventCount();
      const reply = await call(api.url, method, path.replace(':id', ticketId), { token: alice.token, body });
      expect(reply.status).toBe(status);
      expect(reply.body).toEqual({ statusCode: status, error: expect.any(String), message: expect.stringMatching(message) });
      expect(await eventCount()).toBe(before);
    });

    it('a body over 1 MiB → 413', async () => {
      const before = await eventCount();
      const reply = await call(api.url, 'POST', '/tickets', {
        token: alice.token,
        body: { repo: 'support-desk', title: 't', description: long(1024 * 1024) },
      });
      expect(reply.status).toBe(413);
      expect(reply.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String) });
      expect(await eventCount()).toBe(before);
    });

    it('a body that is not JSON content → 415, and a wrong token → 401', async () => {
      const reply = await call(api.url, 'POST', '/tickets', { token: alice.token, body: 'repo=x', headers: { 'content-type': 'text/plain' } });
      expect(reply.status).toBe(415);
      expect(reply.body).toMatchObject({ statusCode: 415 });
      const unauthenticated = await call(api.url, 'POST', '/tickets', { token: 'nope', body: { repo: 'support-desk', title: 't', description: 'd' } });
      expect(unauthenticated.status).toBe(401);
    });
  });
});
