import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { COMMENT_PAGE_BYTES } from '../../libs/read-models/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';

// product.md "Customers": GET /tickets/:id carries at most the first 200 comments, then commentsNextCursor;
// GET /tickets/:id/comments?cursor=&limit= (limit 1–200) pages the rest. Pages are bounded by text size too.
describe('comment pages', () => {
  let api: TestApi;
  let alice: { token: string; email: string };
  let bob: { token: string };
  const post = (ticketId: string, body: string) => call(api.url, 'POST', `/tickets/${ticketId}/comments`, { token: alice.token, body: { body } });
  const newTicket = async () =>
    (await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: 'pages', title: 'T', description: 'D' } })).body.id as string;
  const pagesOf = async (ticketId: string, query: string) => {
    const pages: Array<{ items: Array<{ body: string }>; nextCursor: string | null }> = [];
    let cursor: string | null = null;
    do {
      const path = `/tickets/${ticketId}/comments?${query}${cursor ? `&cursor=${cursor}` : ''}`;
      const reply: { status: number; body: (typeof pages)[number] } = await call(api.url, 'GET', path, { token: alice.token });
      expect(reply.status).toBe(200);
      pages.push(reply.body);
      cursor = reply.body.nextCursor;
    } while (cursor);
    return pages;
  };

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    await createRepo(api.url, await adminToken(api.url), 'pages');
    alice = await newCustomer(api.url, 'alice');
    bob = await newCustomer(api.url, 'bob');
  });
  afterAll(async () => {
    await api.close();
  });

  it('pages small comments by the limit asked for, in order, to a null cursor', async () => {
    const ticketId = await newTicket();
    for (let i = 0; i < 7; i++) expect((await post(ticketId, `c${i}`)).status).toBe(201);
    const pages = await pagesOf(ticketId, 'limit=3');
    expect(pages.map((p) => p.items.map((c) => c.body))).toEqual([['c0', 'c1', 'c2'], ['c3', 'c4', 'c5'], ['c6']]);
    expect((await pagesOf(ticketId, '')).map((p) => p.items.length)).toEqual([7]);
    const ticket = await call(api.url, 'GET', `/tickets/${ticketId}`, { token: alice.token });
    expect(ticket.body.comments).toHaveLength(7);
    expect(ticket.body.commentsNextCursor).toBeNull();
  });

  it('stops a page at about 2 MiB of text, always with one comment at least, and the ticket hands over with its cursor', async () => {
    const ticketId = await newTicket();
    const big = (i: number) => `${i}`.padEnd(65_535, 'ж');
    for (let i = 0; i < 20; i++) expect((await post(ticketId, big(i))).status).toBe(201);
    const ticket = await call(api.url, 'GET', `/tickets/${ticketId}`, { token: alice.token });
    const perPage = Math.floor(COMMENT_PAGE_BYTES / Buffer.byteLength(big(0)));
    expect(ticket.body.comments.map((c: { body: string }) => c.body)).toEqual(Array.from({ length: perPage }, (_, i) => big(i)));
    const rest = await call(api.url, 'GET', `/tickets/${ticketId}/comments?limit=200&cursor=${ticket.body.commentsNextCursor}`, { token: alice.token });
    expect(rest.body.items.map((c: { body: string }) => c.body)).toEqual(Array.from({ length: 20 - perPage }, (_, i) => big(perPage + i)));
    expect(rest.body.nextCursor).toBeNull();
  });

  it('refuses a bad limit or cursor with 400 naming it, and answers 404 for a ticket that is not the caller’s', async () => {
    const ticketId = await newTicket();
    for (const [query, field] of [['limit=0', 'limit'], ['limit=201', 'limit'], ['limit=x', 'limit'], ['cursor=bm9wZQ', 'cursor'], ['other=1', 'other']]) {
      const reply = await call(api.url, 'GET', `/tickets/${ticketId}/comments?${query}`, { token: alice.token });
      expect({ query, status: reply.status }).toEqual({ query, status: 400 });
      expect(reply.body.message).toContain(field);
    }
    expect((await call(api.url, 'GET', `/tickets/${ticketId}/comments`, { token: bob.token })).status).toBe(404);
    expect((await call(api.url, 'GET', '/tickets/00000000-0000-4000-8000-000000000000/comments', { token: alice.token })).status).toBe(404);
  });
});
