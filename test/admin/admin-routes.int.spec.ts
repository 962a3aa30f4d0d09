import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EventMetadata } from '../../libs/event-store/src/index.js';
import { TicketCommandRunner } from '../../libs/ticket-commands/src/ticket-commands.js';
import type { TicketCommand } from '../../libs/ticket-domain/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { holdRebuild } from './support.js';
import { adminEnv, adminToken, call, createRepo, newCustomer, type Reply } from '../support/http.js';

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f-]{27}$/;
const SYSTEM = (): EventMetadata => ({ actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() });

describe('admin audit routes', () => {
  let api: TestApi;
  let admin: string;
  let alice: { token: string; id: string; email: string };
  let bob: { token: string; id: string; email: string };
  /** every ticket filed, oldest first */
  const filed: Array<{ id: string; repo: string; owner: string }> = [];

  const fileTicket = async (who: { token: string; email: string }, repo: string, title: string, requestId?: string) => {
    const created = await call(api.url, 'POST', '/tickets', {
      token: who.token,
      body: { repo, title, description: `about ${title}` },
      headers: requestId ? { 'x-request-id': requestId } : {},
    });
    expect(created.status).toBe(201);
    filed.push({ id: created.body.id, repo, owner: who.email });
    return created.body.id as string;
  };
  const run = (ticketId: string, command: TicketCommand) => api.app.get(TicketCommandRunner).run(ticketId, command, SYSTEM());
  const now = () => new Date().toISOString();

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'desk');
    await createRepo(api.url, admin, 'lab');
    alice = await newCustomer(api.url, 'alice');
    bob = await newCustomer(api.url, 'bob');
    for (let i = 0; i < 3; i++) await fileTicket(alice, 'desk', `alice desk ${i}`);
    for (let i = 0; i < 2; i++) await fileTicket(bob, 'lab', `bob lab ${i}`);
    await fileTicket(bob, 'desk', 'bob desk');
    // close alice's second ticket and bob's lab one: linked to an issue first, as a webhook would find it
    for (const [index, issue] of [[1, 11], [3, 12]] as const) {
      await run(filed[index].id, { type: 'LinkForgejoIssue', data: { issueNumber: issue, owner: 'acme', name: 'support-desk', now: now() } });
      await run(filed[index].id, { type: 'CloseTicket', data: { issueNumber: issue, closedBy: 'jdoe', deliveryId: null, now: now() } });
    }
  });
  afterAll(async () => {
    await api.close();
  });

  describe('GET /admin/tickets', () => {
    const list = (query = '') => call(api.url, 'GET', `/admin/tickets${query}`, { token: admin });
    const ids = (reply: Reply) => reply.body.items.map((t: { id: string }) => t.id);
    const newestFirst = (keep: (t: { id: string; repo: string; owner: string }, i: number) => boolean) =>
      filed.filter(keep).map((t) => t.id).reverse();

    it("lists every customer's tickets newest first, with who filed each", async () => {
      const reply = await list();
      expect(reply.status).toBe(200);
      expect(ids(reply)).toEqual(newestFirst(() => true));
      expect(reply.body.nextCursor).toBeNull();
      const [first] = reply.body.items;
      expect(first).toEqual({
        id: filed[5].id,
        repo: 'desk',
        title: 'bob desk',
        description: 'about bob desk',
        status: 'open',
        forgejoIssueNumber: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
        closedAt: null,
        ownerId: bob.id,
        ownerEmail: bob.email,
      });
      expect(reply.body.items.map((t: { ownerEmail: string }) => t.ownerEmail)).toEqual(newestFirst(() => true).map((id) => filed.find((t) => t.id === id)!.owner));
    });

    it('filters by status and by repo, alone and together', async () => {
      const closed = await list('?status=closed');
      expect(ids(closed)).toEqual([filed[3].id, filed[1].id]);
      expect(closed.body.items.every((t: { status: string; closedAt: string }) => t.status === 'closed' && ISO.test(t.closedAt))).toBe(true);
      expect(ids(await list('?status=open'))).toEqual([filed[5].id, filed[4].id, filed[2].id, filed[0].id]);
      expect(ids(await list('?repo=lab'))).toEqual([filed[4].id, filed[3].id]);
      expect(ids(await list('?repo=desk&status=open'))).toEqual([filed[5].id, filed[2].id, filed[0].id]);
      expect(ids(await list('?repo=nowhere'))).toEqual([]);
    });

    it('pages with the cursor, every ticket once, filters kept', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Reply = await list(`?limit=2&repo=desk${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        seen.push(...ids(page));
        cursor = page.body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen).toEqual(newestFirst((t) => t.repo === 'desk'));
      expect(pages).toBe(2);
    });

    it.each([
      ['an unknown status', '?status=pending', /status/],
      ['a repo that is no slug', '?repo=Not%20A%20Slug', /repo/],
      ['limit of 0', '?limit=0', /limit/],
      ['limit over 100', '?limit=101', /limit/],
      ['a forged cursor', '?cursor=bm9wZQ', /cursor/],
      ['an unknown parameter', '?owner=alice', /owner/],
    ])('answers 400 to %s', async (_, query, message) => {
      const reply = await list(query);
      expect(reply.status).toBe(400);
      expect(reply.body.message).toMatch(message);
    });
  });

  describe('GET /admin/tickets/:id/history', () => {
    it('gives the whole stream in revision order, with who caused each event and the correlation ids', async () => {
      const id = await fileTicket(alice, 'desk', 'audited', 'corr-audit-1');
      await call(api.url, 'POST', `/tickets/${id}/comments`, { token: alice.token, body: { body: 'hello' }, headers: { 'x-request-id': 'corr-audit-2' } });
      await run(id, { type: 'RecordSyncFailure', data: { commentId: null, reason: '422 refused', attempts: 1, now: now() } });
      const resync = await call(api.url, 'POST', `/admin/tickets/${id}/resync`, { token: admin, headers: { 'x-request-id': 'corr-audit-3' } });
      expect(resync.status).toBe(202);

      const reply = await call(api.url, 'GET', `/admin/tickets/${id}/history`, { token: admin });
      expect(reply.status).toBe(200);
      expect(reply.body.ticketId).toBe(id);
      const { events } = reply.body;
      expect(events.map((e: { revision: number }) => e.revision)).toEqual([0, 1, 2, 3]);
      expect(events.map((e: { type: string }) => e.type)).toEqual(['TicketCreated', 'CommentAdded', 'ForgejoIssueSyncFailed', 'ForgejoSyncRetryRequested']);
      expect(events[0]).toEqual({
        id: expect.stringMatching(UUID),
        revision: 0,
        type: 'TicketCreated',
        data: expect.objectContaining({ ticketId: id, title: 'audited', customerId: alice.id, customerEmail: alice.email }),
        metadata: { actor: { type: 'customer', id: alice.id }, correlationId: 'corr-audit-1', causationId: expect.stringMatching(UUID), via: 'api' },
        recordedAt: expect.stringMatching(ISO),
      });
      expect(events[1].metadata).toEqual({ actor: { type: 'customer', id: alice.id }, correlationId: 'corr-audit-2', causationId: expect.stringMatching(UUID), via: 'api' });
      expect(events[1].data).toMatchObject({ body: 'hello', authorEmail: alice.email });
      expect(events[2].metadata.actor).toEqual({ type: 'system' });
      expect(events[2].data).toMatchObject({ reason: '422 refused', attempts: 1 });
      const adminId = (await call(api.url, 'GET', '/auth/me', { token: admin })).body.id;
      expect(events[3].metadata).toEqual({
        actor: { type: 'admin', id: adminId },
        correlationId: 'corr-audit-3',
        causationId: expect.stringMatching(UUID),
        via: 'api',
      });
      const times = events.map((e: { recordedAt: string }) => e.recordedAt);
      expect([...times].sort()).toEqual(times);

      // the same as the event log itself
      const { rows } = await api.db.pool.query('SELECT revision, type, data, metadata FROM events WHERE stream_id = $1 ORDER BY revision', [`ticket-${id}`]);
      expect(events.map(({ revision, type, data, metadata }: Record<string, unknown>) => ({ revision, type, data, metadata }))).toEqual(rows);
    });

    it('answers 404 for a ticket that does not exist, and for an id that is no ticket id', async () => {
      for (const id of [randomUUID(), 'not-a-uuid']) {
        const reply = await call(api.url, 'GET', `/admin/tickets/${id}/history`, { token: admin });
        expect(reply.status).toBe(404);
        expect(reply.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'ticket not found' });
      }
    });
  });

  describe('GET /admin/sync-failures', () => {
    it('lists the tickets and comments whose Forgejo sync gave up, with the reason, until a resync', async () => {
      const ticketId = await fileTicket(bob, 'lab', 'never synced');
      const failedAt = new Date(Date.now() - 60_000).toISOString();
      await run(ticketId, { type: 'RecordSyncFailure', data: { commentId: null, reason: 'Forgejo said 422: [Title]: Required', attempts: 1, now: failedAt } });

      const withComment = await fileTicket(alice, 'desk', 'comment never synced');
      await run(withComment, { type: 'LinkForgejoIssue', data: { issueNumber: 21, owner: 'acme', name: 'support-desk', now: now() } });
      const comment = await call(api.url, 'POST', `/tickets/${withComment}/comments`, { token: alice.token, body: { body: 'lost' } });
      const commentFailedAt = new Date(Date.now() - 30_000).toISOString();
      await run(withComment, {
        type: 'RecordSyncFailure',
        data: { commentId: comment.body.id, reason: 'gave up after 8 attempts: 503', attempts: 8, now: commentFailedAt },
      });

      const reply = await call(api.url, 'GET', '/admin/sync-failures', { token: admin });
      expect(reply.status).toBe(200);
      expect(reply.body.tickets).toContainEqual({
        ticketId,
        repo: 'lab',
        title: 'never synced',
        reason: 'Forgejo said 422: [Title]: Required',
        failedAt,
      });
      expect(reply.body.comments).toEqual([{ commentId: comment.body.id, ticketId: withComment, reason: 'gave up after 8 attempts: 503', failedAt: commentFailedAt }]);
      // tickets that never failed are not there
      expect(reply.body.tickets.map((t: { ticketId: string }) => t.ticketId)).not.toContain(filed[0].id);

      for (const id of [ticketId, withComment]) {
        expect((await call(api.url, 'POST', `/admin/tickets/${id}/resync`, { token: admin })).status).toBe(202);
      }
      const after = await call(api.url, 'GET', '/admin/sync-failures', { token: admin });
      expect(after.body.tickets.map((t: { ticketId: string }) => t.ticketId)).not.toContain(ticketId);
      expect(after.body.comments).toEqual([]);
    });
  });

  describe('POST /admin/projections/rebuild', () => {
    it('rebuilds the read models and answers how many events it replayed and how long it took', async () => {
      const before = await call(api.url, 'GET', '/admin/tickets?limit=100', { token: admin });
      const { rows } = await api.db.pool.query('SELECT count(*)::int AS count FROM events');
      const reply = await call(api.url, 'POST', '/admin/projections/rebuild', { token: admin });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({ eventsReplayed: expect.any(Number), durationMs: expect.any(Number), parkedEvents: 0 });
      expect(reply.body.eventsReplayed).toBeGreaterThanOrEqual(rows[0].count);
      expect(reply.body.durationMs).toBeGreaterThanOrEqual(0);
      const after = await call(api.url, 'GET', '/admin/tickets?limit=100', { token: admin });
      expect(after.body.items).toEqual(before.body.items);
    });

    it('answers 409 while another rebuild runs, and 200 again once it is done', async () => {
      const other = holdRebuild(api);
      await other.reading;
      const reply = await call(api.url, 'POST', '/admin/projections/rebuild', { token: admin });
      expect(reply.status).toBe(409);
      expect(reply.body.message).toMatch(/already running/);
      other.release();
      await other.done;
      expect((await call(api.url, 'POST', '/admin/projections/rebuild', { token: admin })).status).toBe(200);
    });
  });

  describe('authorization', () => {
    const routes = (ticketId: string): Array<[string, string]> => [
      ['GET', '/admin/tickets'],
      ['GET', '/admin/tickets?status=open&repo=desk'],
      ['GET', `/admin/tickets/${ticketId}/history`],
      ['GET', '/admin/sync-failures'],
      ['POST', '/admin/projections/rebuild'],
    ];

    it('answers 403 to a customer on every route here, even for their own ticket', async () => {
      for (const [method, path] of routes(filed[0].id)) {
        const reply = await call(api.url, method, path, { token: alice.token });
        expect({ route: `${method} ${path}`, status: reply.status }).toEqual({ route: `${method} ${path}`, status: 403 });
      }
    });

    it('answers 401 without a token', async () => {
      for (const [method, path] of routes(filed[0].id)) {
        expect({ route: `${method} ${path}`, status: (await call(api.url, method, path)).status }).toEqual({ route: `${method} ${path}`, status: 401 });
      }
    });
  });
});
