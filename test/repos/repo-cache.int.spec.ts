import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPool } from '../../libs/database/src/index.js';
import { ReposRepository } from '../../libs/repos/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { closedPayload, deliver, forgejoHeaders } from '../webhooks/support.js';
import { startTestWorker } from '../support/worker.js';

const TOKEN = 'forgejo-test-token-cache7';

describe('the repo lookups of POST /tickets and the webhook route, cached in each API process', () => {
  let db: TestDatabase;
  let forgejo: FakeForgejo;
  let a: TestApi;
  let b: TestApi;
  let worker: INestApplicationContext;
  let admin: string;
  let customer: { token: string };

  const file = async (api: TestApi, repo: string, title: string) =>
    call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo, title, description: 'd' } });
  const issueOf = (title: string) => waitUntil(() => forgejo.issues.find((i) => i.title === title)!, { timeoutMs: 20000, what: `the issue of "${title}"` });

  beforeAll(async () => {
    db = await createTestDatabase('repocache');
    forgejo = await new FakeForgejo(TOKEN).start();
    const env = { ...adminEnv, AUTH_RATE_LIMIT: '1000', FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN, FORGEJO_TIMEOUT_MS: '3000' };
    a = await startTestApi(env, db);
    b = await startTestApi(env, db);
    admin = await adminToken(a.url);
    customer = await newCustomer(a.url);
    worker = await startTestWorker(a.config);
  });
  afterAll(async () => {
    await worker?.close();
    await a?.close();
    await b?.close();
    await forgejo?.stop();
    await db?.drop();
  });

  it('a repo created on one API is found at once by the other, and after a move its new tickets go to the new repository', async () => {
    const created = await call(a.url, 'POST', '/admin/repos', { token: admin, body: { slug: 'shared', owner: 'acme', name: 'old-desk', webhookSecret: 's1' } });
    expect(created.status).toBe(201);
    // the other process never saw "shared" as missing: no wait
    expect((await file(b, 'shared', 'Before the move')).status).toBe(201);
    expect((await issueOf('Before the move')).repo).toBe('acme/old-desk');

    expect((await call(a.url, 'PATCH', '/admin/repos/shared', { token: admin, body: { owner: 'globex', name: 'new-desk' } })).status).toBe(200);
    expect((await file(b, 'shared', 'After the move, via B')).status).toBe(201);
    expect((await file(a, 'shared', 'After the move, via A')).status).toBe(201);
    expect((await issueOf('After the move, via B')).repo).toBe('globex/new-desk');
    expect((await issueOf('After the move, via A')).repo).toBe('globex/new-desk');
  });

  it('a repo deleted on one API is refused by the other within moments (by notification, well before the cache would expire)', async () => {
    expect((await call(a.url, 'POST', '/admin/repos', { token: admin, body: { slug: 'short-lived', owner: 'acme', name: 'x', webhookSecret: 's2' } })).status).toBe(201);
    // B caches the repo through its own lookup (a POST would file a ticket, and a repo with tickets cannot be deleted)
    const cachedInB = b.app.get(ReposRepository);
    await waitUntil(async () => (await cachedInB.findBySlugCached('short-lived')) !== null, { what: 'B to cache the repo' });
    const started = Date.now();
    expect((await call(a.url, 'DELETE', '/admin/repos/short-lived', { token: admin })).status).toBe(204);
    await waitUntil(async () => (await file(b, 'short-lived', 'Too late')).status === 400, { timeoutMs: 2000, what: 'B to refuse the deleted repo' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('a webhook secret changed on one API is taken by the other within moments, and the old one refused', async () => {
    expect((await call(a.url, 'POST', '/admin/repos', { token: admin, body: { slug: 'signed', owner: 'acme', name: 'desk', webhookSecret: 'old-secret' } })).status).toBe(201);
    const body = closedPayload(4242);
    const signedWith = (secret: string) => deliver(b.url, 'signed', body, forgejoHeaders('issues', 'issues', body, undefined, secret));
    // B now holds the secret in memory
    expect((await signedWith('old-secret')).status).toBe(200);
    const started = Date.now();
    expect((await call(a.url, 'PATCH', '/admin/repos/signed', { token: admin, body: { webhookSecret: 'new-secret' } })).status).toBe(200);
    await waitUntil(async () => (await signedWith('new-secret')).status === 200, { timeoutMs: 2000, what: 'B to take the new secret' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await signedWith('old-secret')).status).toBe(401);
    // and A, where the change was made, at once
    expect((await deliver(a.url, 'signed', body, forgejoHeaders('issues', 'issues', body, undefined, 'new-secret'))).status).toBe(200);
  });

  it('in one process a change is seen by the very next lookup; with the listener cut, lookups go to the table', async () => {
    const poolA = createPool(db.url);
    const poolB = createPool(db.url);
    const one = new ReposRepository(poolA);
    const two = new ReposRepository(poolB);
    try {
      await one.create({ slug: 'lib-level', owner: 'acme', name: 'first', webhookSecret: 's3' });
      await waitUntil(async () => (await two.findBySlugCached('lib-level'))?.name === 'first', { what: 'the first lookup' });
      expect((await one.findBySlugCached('lib-level'))?.name).toBe('first');
      await one.update('lib-level', { name: 'second' });
      expect((await one.findBySlugCached('lib-level'))?.name).toBe('second');
      await waitUntil(async () => (await two.findBySlugCached('lib-level'))?.name === 'second', { timeoutMs: 2000, what: 'the other process to hear the change' });

      // every session of the other "process" is cut, its listener's too: it serves from the table until it listens again
      await db.pool.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'`);
      await one.update('lib-level', { name: 'third' });
      await waitUntil(async () => (await two.findBySlugCached('lib-level').catch(() => null))?.name === 'third', { timeoutMs: 2000, what: 'a lookup after the cut' });
    } finally {
      await one.onApplicationShutdown();
      await two.onApplicationShutdown();
      await poolA.end();
      await poolB.end();
    }
  });
});
