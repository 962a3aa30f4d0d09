import Bull from 'bull';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { inPool, memoryMb, nonAsciiText, projectionsBehind } from '../../bench/support.js';
import { commentMarker, issueMarker } from '../../libs/forgejo/src/client/issue-bodies.js';
import { FORGEJO_QUEUE, queuePrefix } from '../../libs/queues/src/index.js';
import { startSmtp, type TestSmtp } from '../mail/smtp.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { waitUntil } from '../support/wait.js';
import { closedPayload, deliver, forgejoHeaders } from '../webhooks/support.js';
import { assertAlive, freshBuild, peakMemory, startBuiltApp, type BuiltApp } from './built-apps.js';

const COMMENTS = 1000;
const LENGTH = 65_535;
const SEEDING_CONCURRENCY = 4;
const TOKEN = 'forgejo-test-token-big-ticket';

/** Comment i: 65,535 Cyrillic characters (2 bytes each in UTF-8), different for each comment, so nothing compresses it away. */
const bodyOf = (i: number) => nonAsciiText(LENGTH, i);

// product.md "Faults and bad input": one very large ticket (1,000 comments of 65,535 characters) is served like any
// other, within the memory the service is given.
describe('one ticket of 1,000 comments of 65,535 non-ASCII characters', () => {
  let db: TestDatabase;
  let build: { root: string; remove(): Promise<void> };
  let forgejo: FakeForgejo;
  let smtp: TestSmtp;
  let queue: Bull.Queue;
  let url: string;
  let api: BuiltApp;
  let worker: BuiltApp;
  let token: string;
  let customerEmail: string;
  let admin: string;
  let ticketId: string;
  let issueNumber: number;
  // in the order the POSTs answered (seeded concurrently, so not quite the order of the stream)
  const commentIds: string[] = [];
  // in the order the comment pages gave them
  const paged: string[] = [];

  const alive = () => assertAlive([api, worker]);
  const peaks = () => peakMemory([api, worker]);
  /** Every projection and saga has read the last event, and no Forgejo job is left to run. */
  const settled = async () => {
    if ((await projectionsBehind(db.pool)) !== 0) return false;
    const counts = await queue.getJobCounts();
    return counts.waiting + counts.active + counts.delayed === 0;
  };
  const mine = (marker: string) => forgejo.comments.filter((c) => c.body.includes(marker));

  beforeAll(async () => {
    db = await createTestDatabase('bigticket');
    build = await freshBuild();
    forgejo = await new FakeForgejo(TOKEN).start();
    smtp = await startSmtp();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: db.url,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      AUTH_RATE_LIMIT: '1000',
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      SMTP_URL: smtp.url,
      ...adminEnv,
    };
    queue = new Bull(FORGEJO_QUEUE, { redis: 'redis://127.0.0.1:6379', prefix: queuePrefix({ databaseUrl: db.url }) });
    api = startBuiltApp('api', build.root, env);
    worker = startBuiltApp('worker', build.root, env);
    await waitUntil(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200 || api.child.exitCode !== null, {
      timeoutMs: 60_000,
      what: 'the API to answer',
    });
    alive();
    admin = await adminToken(url);
    await createRepo(url, admin, 'big-desk');
    ({ token, email: customerEmail } = await newCustomer(url, 'big'));
    ticketId = (await call(url, 'POST', '/tickets', { token, body: { repo: 'big-desk', title: 'Большой', description: bodyOf(-1) } })).body.id;

    const started = Date.now();
    await inPool(COMMENTS, SEEDING_CONCURRENCY, async (i) => {
      const reply = await call(url, 'POST', `/tickets/${ticketId}/comments`, { token, body: { body: bodyOf(i) } });
      if (reply.status !== 201) throw new Error(`comment ${i}: ${reply.status} ${reply.text.slice(0, 300)}`);
      commentIds[i] = reply.body.id;
    });
    process.stdout.write(`big ticket: ${COMMENTS} comments seeded in ${((Date.now() - started) / 1000).toFixed(1)} s; peak RSS so far ${peaks()}\n`);
  }, 900_000);

  afterAll(async () => {
    process.stdout.write(`big ticket: peak RSS (VmHWM) ${peaks()}\n`);
    for (const app of [api, worker]) if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await queue?.close();
    await forgejo?.stop();
    await smtp?.close();
    await build?.remove();
    await db.drop();
  });

  it('refuses the 1,001st comment with 409', async () => {
    const reply = await call(url, 'POST', `/tickets/${ticketId}/comments`, { token, body: { body: 'one more' } });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringMatching(/1000 comments/) });
    alive();
  });

  it('sends the issue and every comment to Forgejo once, and links each', async () => {
    await waitUntil(() => forgejo.issues.some((issue) => issue.body.includes(issueMarker(ticketId))), { timeoutMs: 60_000, what: 'the issue' });
    const issues = forgejo.issues.filter((issue) => issue.body.includes(issueMarker(ticketId)));
    expect(issues).toHaveLength(1);
    issueNumber = issues[0].number;
    await waitUntil(
      async () => {
        alive();
        const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE forgejo_comment_id IS NOT NULL');
        return rows[0].n === COMMENTS;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `${COMMENTS} comments linked` },
    );
    for (let i = 0; i < COMMENTS; i++) {
      const sent = mine(commentMarker(commentIds[i]));
      expect(sent).toHaveLength(1);
      expect(sent[0].issue).toBe(issueNumber);
      expect(sent[0].body.startsWith(bodyOf(i))).toBe(true);
    }
    expect(forgejo.creates('comment')).toHaveLength(COMMENTS);
    expect(forgejo.violations).toEqual([]);
    alive();
  }, 180_000);

  it('serves the ticket with its first comments and a cursor, and pages the rest to the end', async () => {
    const ticket = await call(url, 'GET', `/tickets/${ticketId}`, { token });
    expect(ticket.status).toBe(200);
    expect(ticket.body.comments.length).toBeGreaterThan(0);
    expect(ticket.body.comments.length).toBeLessThanOrEqual(200);
    expect(ticket.body.commentsNextCursor).toEqual(expect.any(String));
    const seen: string[] = ticket.body.comments.map((c: { id: string }) => c.id);
    expect(ticket.body.comments[0]).toEqual({
      id: expect.any(String),
      ticketId,
      body: bodyOf(commentIds.indexOf(ticket.body.comments[0].id)),
      author: 'customer',
      authorName: expect.stringContaining('@'),
      authorEmail: expect.stringContaining('@'),
      forgejoCommentId: expect.any(Number),
      createdAt: expect.any(String),
      editedAt: null,
    });
    let cursor: string | null = ticket.body.commentsNextCursor;
    let pages = 0;
    while (cursor) {
      const page = await call(url, 'GET', `/tickets/${ticketId}/comments?limit=200&cursor=${cursor}`, { token });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeGreaterThan(0);
      for (const comment of page.body.items) {
        seen.push(comment.id);
        expect(comment.body).toHaveLength(LENGTH);
      }
      cursor = page.body.nextCursor;
      pages += 1;
    }
    expect(seen).toHaveLength(COMMENTS);
    expect([...seen].sort()).toEqual([...commentIds].sort());
    expect(pages).toBeGreaterThan(1);
    paged.push(...seen);
    const bad = await call(url, 'GET', `/tickets/${ticketId}/comments?cursor=${encodeURIComponent('bm90LWEtY3Vyc29y')}`, { token });
    expect(bad.status).toBe(400);
    alive();
  }, 300_000);

  it('lists the ticket', async () => {
    const list = await call(url, 'GET', '/tickets', { token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((t: { id: string }) => t.id)).toEqual([ticketId]);
    const adminList = await call(url, 'GET', '/admin/tickets', { token: admin });
    expect(adminList.status).toBe(200);
    alive();
  });

  it('streams the whole history to an admin', async () => {
    const response = await fetch(`${url}/admin/tickets/${ticketId}/history`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const history = JSON.parse(await response.text());
    expect(history.ticketId).toBe(ticketId);
    const types: string[] = history.events.map((e: { type: string }) => e.type);
    expect(types.filter((type) => type === 'CommentAdded')).toHaveLength(COMMENTS);
    expect(types.filter((type) => type === 'ForgejoCommentLinked')).toHaveLength(COMMENTS);
    expect(types.filter((type) => type === 'ForgejoIssueLinked')).toHaveLength(1);
    expect(history.events.map((e: { revision: number }) => e.revision)).toEqual(Array.from({ length: history.events.length }, (_, i) => i));
    const added = history.events.filter((e: { type: string }) => e.type === 'CommentAdded');
    // the pages gave the comments in the order of the stream
    expect(added.map((e: { data: { commentId: string } }) => e.data.commentId)).toEqual(paged);
    const lastId = added[COMMENTS - 1].data.commentId;
    expect(added[COMMENTS - 1].data.body).toBe(bodyOf(commentIds.indexOf(lastId)));
    alive();
  }, 300_000);

  it('keeps every projection and saga caught up, and rebuilds the read models', async () => {
    await waitUntil(settled, { timeoutMs: 120_000, what: 'every checkpoint at the last event, no Forgejo job left' });
    const rebuilt = await call(url, 'POST', '/admin/projections/rebuild', { token: admin });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.eventsReplayed).toBeGreaterThanOrEqual(2 * COMMENTS + 2);
    const ticket = await call(url, 'GET', `/tickets/${ticketId}`, { token });
    expect(ticket.status).toBe(200);
    expect(ticket.body.comments[0].id).toBe(paged[0]);
    alive();
  }, 300_000);

  it('closes on a signed webhook from Forgejo, with one email to the customer', async () => {
    const body = closedPayload(issueNumber);
    const delivered = await deliver(url, 'big-desk', body, forgejoHeaders('issues', 'issues', body));
    expect(delivered.status).toBe(200);
    expect(delivered.body).toEqual({ result: 'closed' });
    const ticket = await call(url, 'GET', `/tickets/${ticketId}`, { token });
    expect(ticket.status).toBe(200);
    expect(ticket.body.status).toBe('closed');
    await waitUntil(() => smtp.mailsTo(customerEmail).length > 0, { timeoutMs: 60_000, what: 'the resolved email' });
    await waitUntil(settled, { timeoutMs: 60_000, what: 'the close settled' });
    expect(smtp.mailsTo(customerEmail)).toHaveLength(1);
    expect(smtp.mailsTo(customerEmail)[0].subject).toContain('Большой');
    alive();
  }, 120_000);

  it('reopens for the customer: 200, and the issue is opened again with one comment saying so', async () => {
    forgejo.closeIssue(forgejo.issues.find((issue) => issue.number === issueNumber)!);
    const reopened = await call(url, 'POST', `/tickets/${ticketId}/reopen`, { token, body: {} });
    expect(reopened.status).toBe(200);
    expect(reopened.body.status).toBe('open');
    await waitUntil(() => mine(`<!-- ticket-bridge:reopen:${ticketId}:`).length > 0, { timeoutMs: 60_000, what: 'the reopen comment' });
    await waitUntil(settled, { timeoutMs: 60_000, what: 'the reopen settled' });
    expect(forgejo.issues.find((issue) => issue.number === issueNumber)!.state).toBe('open');
    expect(mine(`<!-- ticket-bridge:reopen:${ticketId}:`)).toHaveLength(1);
    alive();
  }, 120_000);

  it('resyncs on an admin\'s request: 202, and nothing is sent twice', async () => {
    const resync = await call(url, 'POST', `/admin/tickets/${ticketId}/resync`, { token: admin });
    expect(resync.status).toBe(202);
    await waitUntil(settled, { timeoutMs: 60_000, what: 'the resync settled' });
    expect(forgejo.creates('issue')).toHaveLength(1);
    expect(forgejo.creates('comment')).toHaveLength(COMMENTS + 1);
    expect(forgejo.violations).toEqual([]);
    alive();
  }, 120_000);

  it('leaves both apps alive under their heap caps', async () => {
    alive();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    for (const app of [api, worker]) expect(memoryMb(app.child.pid!, 'VmHWM')).toEqual(expect.any(Number));
  });
});
