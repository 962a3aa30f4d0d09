import Bull from 'bull';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FORGEJO_QUEUE, queuePrefix } from '../../libs/queues/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';

const TOKEN = 'forgejo-test-token-api-outage';
const PROBE_INTERVAL_MS = 200;
// the breaker's longest pause between two releases: 16 probe intervals
const LONGEST_PAUSE_MS = 16 * PROBE_INTERVAL_MS;
const RETRY_MAX_MS = 30_000;
// past this many attempts a job's own next try is at least 0.7 × RETRY_MAX_MS away (20 ms × 2^11 is past the cap)
const ATTEMPTS_AT_THE_CAP = 12;

describe('a Forgejo whose version answers while its issue routes answer 503', () => {
  let forgejo: FakeForgejo;
  let api: TestApi;
  let worker: INestApplicationContext;
  let queue: Bull.Queue;
  let customer: { token: string };
  let outage = false;

  const file = async (title: string) =>
    (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title, description: 'd' } })).body.id as string;
  const view = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  const attemptsOf = async (jobId: string) => (await queue.getJob(jobId))?.attemptsMade ?? 0;

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    // creating issues and comments fails; GET /version (the breaker's probe) and the reads still answer
    forgejo.behaviour = () => (outage ? { kind: 'status', status: 503, message: 'issue service unavailable' } : { kind: 'ok' });
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN, FORGEJO_TIMEOUT_MS: '2000' });
    await createRepo(api.url, await adminToken(api.url), 'desk');
    customer = await newCustomer(api.url);
    queue = new Bull(FORGEJO_QUEUE, { redis: api.config.redisUrl, prefix: queuePrefix(api.config) });
    worker = await startTestWorker({ ...api.config, forgejoRetryBaseMs: 20, forgejoRetryMaxMs: RETRY_MAX_MS, forgejoProbeIntervalMs: PROBE_INTERVAL_MS });
  });
  afterAll(async () => {
    await worker?.close();
    await queue?.close();
    await api?.close();
    await forgejo?.stop();
  });

  it('opens the breaker on the failing calls, and sends everything soon after the routes answer again, once', async () => {
    const before = await file('Before the outage');
    await waitUntil(async () => (await view(before)).forgejoIssueNumber, { what: 'the first ticket linked' });

    const createCalls = () => forgejo.creates('issue').length + forgejo.creates('comment').length;
    const createsBefore = createCalls();
    outage = true;
    const downAt = Date.now();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await file(`During the API outage ${i}`));
    const comment = (await call(api.url, 'POST', `/tickets/${before}/comments`, { token: customer.token, body: { body: 'while the API is down' } })).body.id;
    const jobIds = [...ids.map((id) => `issue:${id}`), `comment:${comment}`];
    await waitUntil(async () => (await Promise.all(jobIds.map(attemptsOf))).every((n) => n >= ATTEMPTS_AT_THE_CAP), {
      timeoutMs: 60_000,
      what: `every job at ${ATTEMPTS_AT_THE_CAP} attempts`,
    });
    const downForMs = Date.now() - downAt;
    const callsDuringOutage = createCalls() - createsBefore;
    expect(forgejo.issues.filter((issue) => issue.title.startsWith('During the API outage'))).toHaveLength(0);

    outage = false;
    const upAt = Date.now();
    await waitUntil(
      async () => {
        const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1) AND forgejo_issue_number IS NOT NULL', [ids]);
        return rows[0].n === ids.length;
      },
      { timeoutMs: 120_000, what: 'every ticket linked after the recovery' },
    );
    await waitUntil(async () => (await view(before)).comments[0]?.forgejoCommentId, { timeoutMs: 120_000, what: 'the comment linked' });
    const recoveryMs = Date.now() - upAt;
    process.stdout.write(
      `Forgejo's issue routes down ${downForMs} ms (${callsDuringOutage} create calls meanwhile, ${jobIds.length} jobs); everything owed arrived ${recoveryMs} ms after they answered\n`,
    );
    // the breaker's release, not the jobs' own backoff (at least 21 s away by now), brought them
    expect(recoveryMs).toBeLessThan(LONGEST_PAUSE_MS + 3000);
    expect(recoveryMs).toBeLessThan(0.7 * RETRY_MAX_MS);
    // not hammered: the jobs' calls came in releases, not at each job's every attempt
    expect(callsDuringOutage).toBeLessThan(jobIds.length * ATTEMPTS_AT_THE_CAP);
    for (let i = 0; i < 5; i++) expect(forgejo.issues.filter((issue) => issue.title === `During the API outage ${i}`)).toHaveLength(1);
    expect(forgejo.comments.filter((c) => c.body.startsWith('while the API is down'))).toHaveLength(1);
    expect(forgejo.violations).toEqual([]);
  }, 240_000);
});
