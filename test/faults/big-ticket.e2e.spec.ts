import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { memoryMb } from '../../bench/support.js';
import { APP_NODE_FLAGS } from '../../scripts/app-node-flags.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { repoRoot } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const COMMENTS = 1000;
const LENGTH = 65_535;
const SEEDING_CONCURRENCY = 4;

/** Comment i: 65,535 Cyrillic characters (2 bytes each in UTF-8), different for each comment, so nothing compresses it away. */
function bodyOf(i: number): string {
  let seed = (i + 1) * 2654435761;
  const units = new Uint16Array(LENGTH);
  for (let k = 0; k < LENGTH; k++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    units[k] = 0x0410 + (seed >>> 16) % 64;
  }
  return new TextDecoder('utf-16le').decode(units);
}

interface App {
  name: string;
  child: ChildProcess;
  output: () => string;
}

/** An app as `npm start` runs it: its own node process, under the same heap cap. */
function startApp(name: string, entry: string, env: Record<string, string>): App {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, '--import', './scripts/register-ts.mjs', entry], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  // keep only the tail: a log line per request would otherwise grow without end
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { name, child, output: () => output };
}

/** Runs `work` over 0..n-1, at most `concurrency` at a time. */
async function inPool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await work(next++);
  }));
}

// product.md "Faults and bad input": one very large ticket (1,000 comments of 65,535 characters) is served like any
// other, within the memory the service is given.
describe('one ticket of 1,000 comments of 65,535 non-ASCII characters', () => {
  let db: TestDatabase;
  let url: string;
  let api: App;
  let worker: App;
  let token: string;
  let admin: string;
  let ticketId: string;
  // in the order the POSTs answered (seeded concurrently, so not quite the order of the stream)
  const commentIds: string[] = [];
  // in the order the comment pages gave them
  const paged: string[] = [];

  const alive = () => {
    for (const app of [api, worker]) if (app.child.exitCode !== null || app.child.signalCode !== null) throw new Error(`${app.name} exited:\n${app.output()}`);
  };

  beforeAll(async () => {
    db = await createTestDatabase('bigticket');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = { DATABASE_URL: db.url, PORT: String(port), LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '1000', ...adminEnv };
    api = startApp('api', 'apps/api/src/main.ts', env);
    worker = startApp('worker', 'apps/worker/src/main.ts', env);
    await waitUntil(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200 || api.child.exitCode !== null, {
      timeoutMs: 60_000,
      what: 'the API to answer',
    });
    alive();
    admin = await adminToken(url);
    await createRepo(url, admin, 'big-desk');
    token = (await newCustomer(url, 'big')).token;
    ticketId = (await call(url, 'POST', '/tickets', { token, body: { repo: 'big-desk', title: 'Большой', description: bodyOf(-1) } })).body.id;

    const started = Date.now();
    await inPool(COMMENTS, SEEDING_CONCURRENCY, async (i) => {
      const reply = await call(url, 'POST', `/tickets/${ticketId}/comments`, { token, body: { body: bodyOf(i) } });
      if (reply.status !== 201) throw new Error(`comment ${i}: ${reply.status} ${reply.text.slice(0, 300)}`);
      commentIds[i] = reply.body.id;
    });
    const peak = [api, worker].map((app) => `${app.name} ${memoryMb(app.child.pid!, 'VmHWM')?.toFixed(0) ?? '?'} MB`);
    process.stdout.write(`big ticket: ${COMMENTS} comments seeded in ${((Date.now() - started) / 1000).toFixed(1)} s; peak RSS so far ${peak.join(', ')}\n`);
  }, 900_000);

  afterAll(async () => {
    const peak = [api, worker].map((app) => `${app.name} ${memoryMb(app.child.pid!, 'VmHWM')?.toFixed(0) ?? '?'} MB`);
    process.stdout.write(`big ticket: peak RSS (VmHWM) ${peak.join(', ')}\n`);
    for (const app of [api, worker]) if (app.child.exitCode === null) app.child.kill('SIGKILL');
    await db.drop();
  });

  it('refuses the 1,001st comment with 409', async () => {
    const reply = await call(url, 'POST', `/tickets/${ticketId}/comments`, { token, body: { body: 'one more' } });
    expect(reply.status).toBe(409);
    expect(reply.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringMatching(/1000 comments/) });
    alive();
  });

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
      forgejoCommentId: null,
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
    expect(history.events).toHaveLength(COMMENTS + 1);
    expect(history.events.map((e: { revision: number }) => e.revision)).toEqual(Array.from({ length: COMMENTS + 1 }, (_, i) => i));
    const added = history.events.filter((e: { type: string }) => e.type === 'CommentAdded');
    // the pages gave the comments in the order of the stream
    expect(added.map((e: { data: { commentId: string } }) => e.data.commentId)).toEqual(paged);
    const lastId = added[COMMENTS - 1].data.commentId;
    expect(added[COMMENTS - 1].data.body).toBe(bodyOf(commentIds.indexOf(lastId)));
    alive();
  }, 300_000);

  it('keeps every projection and saga caught up, and rebuilds the read models', async () => {
    const head = async () =>
      (await db.pool.query<{ behind: string }>(
        `SELECT count(*) AS behind FROM projection_checkpoints c
         WHERE (c.commit_position::text::xid8, c.prepare_position) < (SELECT transaction_id, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1)`,
      )).rows[0].behind === '0';
    await waitUntil(head, { timeoutMs: 120_000, what: 'every checkpoint at the last event' });
    const rebuilt = await call(url, 'POST', '/admin/projections/rebuild', { token: admin });
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body.eventsReplayed).toBeGreaterThanOrEqual(COMMENTS + 1);
    const ticket = await call(url, 'GET', `/tickets/${ticketId}`, { token });
    expect(ticket.status).toBe(200);
    expect(ticket.body.comments[0].id).toBe(paged[0]);
    alive();
  }, 300_000);

  it('leaves both apps alive under their heap caps', async () => {
    alive();
    expect((await fetch(`${url}/health`)).status).toBe(200);
    for (const app of [api, worker]) expect(memoryMb(app.child.pid!, 'VmHWM')).toEqual(expect.any(Number));
  });
});
