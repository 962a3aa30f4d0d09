import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { REOPEN_LINK_KEY, ServiceKeys, signReopenLink } from '../../libs/auth/src/reopen-links/index.js';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';
import { linkedTicket, streamOf } from '../webhooks/support.js';
import { closeFromForgejo, openLink, pressReopen, reopenLinkIn } from './support.js';

const SLUG = 'link-desk';

describe('the reopen link of the resolved email', () => {
  let db: TestDatabase;
  let smtp: TestSmtp;
  let api: TestApi;
  let worker: INestApplicationContext;
  let customer: { token: string; email: string; id: string };
  let nextIssue = 1;

  const view = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  const streamLength = async (id: string) => (await streamOf(api, id)).length;

  /** A ticket closed in Forgejo, and the link of its resolved email. */
  async function closedWithLink(title: string): Promise<{ id: string; path: string; token: string; url: string }> {
    const issue = nextIssue++;
    const id = await linkedTicket(api, customer.token, SLUG, issue, title);
    expect((await closeFromForgejo(api, SLUG, issue)).body).toEqual({ result: 'closed' });
    const mail = (await waitUntil(() => smtp.mailsTo(customer.email).find((m) => m.subject === `Resolved: ${title}`), { timeoutMs: 30000, what: `the email of ${title}` }))!;
    // the notification is recorded last: from then on the stream only changes by what the link does
    await waitUntil(async () => (await streamOf(api, id)).some((e) => e.type === 'NotificationSent'), { timeoutMs: 30000, what: 'the email recorded' });
    expect(mail.html).toContain(`/tickets/${id}/reopen?token=`);
    return { id, ...reopenLinkIn(mail.text, id) };
  }

  beforeAll(async () => {
    // the database outlives each API instance: a restart is a new instance on it
    db = await createTestDatabase('reopenlink');
    smtp = await startSmtp();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', SMTP_URL: smtp.url, BASE_URL: 'https://desk.example.com' }, db);
    await createRepo(api.url, await adminToken(api.url), SLUG);
    customer = await newCustomer(api.url, 'linker');
    worker = await startTestWorker(api.config);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await db?.drop();
    await smtp?.close();
  });

  it('is {BASE_URL}/tickets/{id}/reopen?token=…; its page changes nothing, its button reopens once', async () => {
    const ticket = await closedWithLink('Link works once');
    expect(ticket.url.startsWith(`https://desk.example.com/tickets/${ticket.id}/reopen?token=`)).toBe(true);
    const length = await streamLength(ticket.id);

    // a GET, even twice, is only a page
    for (let i = 0; i < 2; i++) {
      const page = await openLink(api.url, ticket.path);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.text).toContain('Reopen your ticket?');
      expect(page.text).toContain('Link works once');
      expect(page.text).toContain(`<form method="post" action="/tickets/${ticket.id}/reopen">`);
      expect(page.text).toContain('>Reopen</button>');
      expect(page.text).not.toMatch(/<script/i);
    }
    expect(await streamLength(ticket.id)).toBe(length);
    expect((await view(ticket.id)).status).toBe('closed');

    const pressed = await pressReopen(api.url, ticket.id, ticket.token);
    expect(pressed.status).toBe(200);
    expect(pressed.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(pressed.text).toContain('Your ticket is open again');
    // at once, for the customer too
    expect((await view(ticket.id)).status).toBe('open');
    const reopened = (await streamOf(api, ticket.id)).filter((e) => e.type === 'TicketReopened');
    expect(reopened).toHaveLength(1);
    expect(reopened[0].data).toMatchObject({ reopenedBy: 'customer' });
    expect(reopened[0].metadata).toMatchObject({ actor: { type: 'customer', id: customer.id } });

    // used: refused, by its page and by its button, and nothing changes
    const after = await streamLength(ticket.id);
    const again = await pressReopen(api.url, ticket.id, ticket.token);
    expect(again.status).toBe(410);
    expect(again.text).toContain('This link has already been used');
    const page = await openLink(api.url, ticket.path);
    expect(page.status).toBe(410);
    expect(page.text).toContain('This link has already been used');
    expect(await streamLength(ticket.id)).toBe(after);
  });

  it('is for that ticket only, and a forged or expired token is refused', async () => {
    const ticket = await closedWithLink('Link for this one');
    const other = await closedWithLink('Another closed one');
    const lengths = [await streamLength(ticket.id), await streamLength(other.id)];

    // this ticket's token on the other ticket
    expect((await openLink(api.url, `/tickets/${other.id}/reopen?token=${encodeURIComponent(ticket.token)}`)).status).toBe(403);
    const wrongTicket = await pressReopen(api.url, other.id, ticket.token);
    expect(wrongTicket.status).toBe(403);
    expect(wrongTicket.text).toContain('This link is not valid');

    // forged: another MAC, another close, no token, a token of another key
    const [revision, expiresAt, mac] = ticket.token.split('.');
    const forgedMac = `${revision}.${expiresAt}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`;
    const forgedClose = `${Number(revision) + 1}.${expiresAt}.${mac}`;
    const otherKey = signReopenLink(Buffer.alloc(32, 1), ticket.id, { closeRevision: Number(revision), expiresAt: Number(expiresAt) });
    for (const forged of [forgedMac, forgedClose, otherKey, '', 'nonsense']) {
      const page = await openLink(api.url, `/tickets/${ticket.id}/reopen?token=${encodeURIComponent(forged)}`);
      expect(page.status).toBe(403);
      expect(page.text).toContain('This link is not valid');
      expect((await pressReopen(api.url, ticket.id, forged)).status).toBe(403);
    }
    expect((await openLink(api.url, `/tickets/${ticket.id}/reopen`)).status).toBe(403);
    expect((await openLink(api.url, `/tickets/not-a-uuid/reopen?token=${encodeURIComponent(ticket.token)}`)).status).toBe(403);

    // expired: signed with the service's own key, for this close, but past its 30 days
    const key = await new ServiceKeys(db.pool).key(REOPEN_LINK_KEY);
    const expired = signReopenLink(key, ticket.id, { closeRevision: Number(revision), expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const expiredPage = await openLink(api.url, `/tickets/${ticket.id}/reopen?token=${encodeURIComponent(expired)}`);
    expect(expiredPage.status).toBe(410);
    expect(expiredPage.text).toContain('This link has expired');
    expect((await pressReopen(api.url, ticket.id, expired)).status).toBe(410);

    expect([await streamLength(ticket.id), await streamLength(other.id)]).toEqual(lengths);
    expect((await view(ticket.id)).status).toBe('closed');
    expect((await view(other.id)).status).toBe('closed');
    // the real one still works
    expect((await pressReopen(api.url, ticket.id, ticket.token)).status).toBe(200);
    expect((await view(other.id)).status).toBe('closed');
  });

  it('survives a restart: a link sent before works on a new API instance over the same database', async () => {
    const ticket = await closedWithLink('Across a restart');
    await api.close();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', SMTP_URL: smtp.url, BASE_URL: 'https://desk.example.com' }, db);
    expect((await openLink(api.url, ticket.path)).status).toBe(200);
    const pressed = await pressReopen(api.url, ticket.id, ticket.token);
    expect(pressed.status).toBe(200);
    expect((await view(ticket.id)).status).toBe('open');
  });

  it('keeps one signing key, whoever asks for it first', async () => {
    const [a, b, c] = await Promise.all([new ServiceKeys(db.pool).key('race-test'), new ServiceKeys(db.pool).key('race-test'), new ServiceKeys(db.pool).key('race-test')]);
    expect(a.length).toBe(32);
    expect(b.equals(a) && c.equals(a)).toBe(true);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM service_keys WHERE name = 'race-test'");
    expect(rows[0].n).toBe(1);
  });
});
