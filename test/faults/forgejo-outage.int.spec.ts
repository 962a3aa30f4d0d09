import Bull from 'bull';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { FORGEJO_QUEUE, queuePrefix } from '../../libs/queues/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';

const TOKEN = 'forgejo-test-token-outage';
const PROBE_INTERVAL_MS = 200;
// the old budget: 8 attempts, then a permanent failure that needed an admin
const OLD_ATTEMPTS = 8;
const RETRY_MAX_MS = 5000;

describe('a Forgejo that answers 503 to everything for a while', () => {
  let forgejo: FakeForgejo;
  let api: TestApi;
  let worker: INestApplicationContext | null = null;
  let queue: Bull.Queue;
  let admin: string;
  let customer: { token: string };

  const file = async (title: string) =>
    (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title, description: 'd' } })).body.id as string;
  const view = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  const types = async (id: string) =>
    (await api.db.pool.query('SELECT type FROM events WHERE stream_id = $1 ORDER BY revision', [`ticket-${id}`])).rows.map((r) => r.type as string);
  const attemptsOf = async (jobId: string) => (await queue.getJob(jobId))?.attemptsMade ?? 0;

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN, FORGEJO_TIMEOUT_MS: '2000' });
    admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'desk');
    customer = await newCustomer(api.url);
    queue = new Bull(FORGEJO_QUEUE, { redis: api.config.redisUrl, prefix: queuePrefix(api.config) });
  });
  afterEach(async () => {
    forgejo.down = false;
    await worker?.close();
    worker = null;
    expect(forgejo.violations).toEqual([]);
  });
  afterAll(async () => {
    await queue?.close();
    await api?.close();
    await forgejo?.stop();
  });

  it('retries past the old budget without hammering it, and sends everything once soon after it answers again', async () => {
    worker = await startTestWorker({
      ...api.config,
      forgejoRetryBaseMs: 20,
      // by the end of the outage each job waits 3.5 to 5 s: arriving sooner takes the breaker's release
      forgejoRetryMaxMs: RETRY_MAX_MS,
      forgejoProbeIntervalMs: PROBE_INTERVAL_MS,
    });
    const before = await file('Before the outage');
    await waitUntil(async () => (await view(before)).forgejoIssueNumber, { what: 'the first ticket linked' });

    forgejo.down = true;
    const downAt = Date.now();
    const requestsBefore = forgejo.requests.length;
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await file(`During the outage ${i}`));
    const comment = (await call(api.url, 'POST', `/tickets/${before}/comments`, { token: customer.token, body: { body: 'while down' } })).body.id;
    const jobIds = [...ids.map((id) => `issue:${id}`), `comment:${comment}`];
    await waitUntil(async () => (await Promise.all(jobIds.map(attemptsOf))).every((n) => n > OLD_ATTEMPTS), {
      timeoutMs: 30000,
      what: `every job past ${OLD_ATTEMPTS} attempts`,
    });
    const downForMs = Date.now() - downAt;
    const duringOutage = forgejo.requests.slice(requestsBefore);
    // not hammered: each job called it at most once before the breaker opened; then only the probe asks
    const calls = duringOutage.filter((r) => r.path !== '/version');
    expect(calls.length).toBeLessThanOrEqual(jobIds.length);
    const probes = duringOutage.filter((r) => r.path === '/version');
    expect(probes.length).toBeGreaterThanOrEqual(2);
    expect(probes.length).toBeLessThanOrEqual(downForMs / PROBE_INTERVAL_MS + jobIds.length + 2);
    for (const id of ids) expect(await types(id)).toEqual(['TicketCreated']);

    forgejo.down = false;
    const upAt = Date.now();
    await waitUntil(
      async () => {
        const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1) AND forgejo_issue_number IS NOT NULL', [ids]);
        return rows[0].n === ids.length;
      },
      { timeoutMs: 10000, what: 'every ticket linked after the recovery' },
    );
    await waitUntil(async () => (await view(before)).comments[0]?.forgejoCommentId, { timeoutMs: 10000, what: 'the comment linked' });
    const recoveryMs = Date.now() - upAt;
    expect(recoveryMs).toBeLessThan(0.7 * RETRY_MAX_MS);
    process.stdout.write(`Forgejo down ${downForMs} ms; everything owed arrived ${recoveryMs} ms after it answered\n`);
    for (let i = 0; i < 5; i++) expect(forgejo.issues.filter((issue) => issue.title === `During the outage ${i}`)).toHaveLength(1);
    expect(forgejo.comments.filter((c) => c.body.startsWith('while down'))).toHaveLength(1);
    for (const id of ids) expect(await types(id)).toEqual(['TicketCreated', 'ForgejoIssueLinked']);
  }, 60000);

  it('records the failure once FORGEJO_RETRY_FOR_S has passed, lists it, and a resync starts over with a fresh budget', async () => {
    worker = await startTestWorker({
      ...api.config,
      forgejoRetryBaseMs: 20,
      forgejoRetryMaxMs: 200,
      forgejoRetryForS: 2,
      forgejoProbeIntervalMs: PROBE_INTERVAL_MS,
    });
    forgejo.down = true;
    const id = await file('Too long down');
    await waitUntil(async () => (await types(id)).includes('ForgejoIssueSyncFailed'), { timeoutMs: 20000, what: 'the failure recorded' });
    const failures = await waitUntil(
      async () => {
        const list = await call(api.url, 'GET', '/admin/sync-failures', { token: admin });
        return list.body.tickets?.some((t: { ticketId: string }) => t.ticketId === id) && list.body;
      },
      { what: 'the failure listed' },
    );
    expect(failures.tickets.find((t: { ticketId: string }) => t.ticketId === id).reason).toMatch(/Forgejo|503/);
    const job = await queue.getJob(`issue:${id}`);
    expect(await job!.isFailed()).toBe(true);
    const triesBefore = job!.attemptsMade;
    expect(triesBefore).toBeGreaterThan(1);

    forgejo.down = false;
    expect((await call(api.url, 'POST', `/admin/tickets/${id}/resync`, { token: admin })).status).toBe(202);
    await waitUntil(async () => (await view(id)).forgejoIssueNumber, { timeoutMs: 15000, what: 'linked after the resync' });
    // a new job, not Bull's retry() of the old one: its attempts start again
    const fresh = await queue.getJob(`issue:${id}`);
    expect(fresh!.attemptsMade).toBeLessThan(triesBefore);
    expect(forgejo.issues.filter((i) => i.title === 'Too long down')).toHaveLength(1);
  }, 60000);
});
