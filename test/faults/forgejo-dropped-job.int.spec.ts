import Bull from 'bull';
import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { FORGEJO_QUEUE, queuePrefix } from '../../libs/queues/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';

const TOKEN = 'forgejo-test-token-dropped';

describe('a Forgejo job that ended failed without its failure being recorded', () => {
  let forgejo: FakeForgejo;
  let api: TestApi;
  let worker: INestApplicationContext | null = null;

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN });
    await createRepo(api.url, await adminToken(api.url), 'desk');
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await forgejo?.stop();
  });

  it('is started again by the sweep, so the ticket still ends linked', async () => {
    const customer = await newCustomer(api.url);
    const created = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title: 'Stalled away', description: 'd' } });
    const ticketId = created.body.id as string;
    // as Bull leaves a job that stalled more often than allowed: failed in Redis, nothing in the ticket's history
    const queue = new Bull(FORGEJO_QUEUE, { redis: api.config.redisUrl, prefix: queuePrefix(api.config) });
    await queue.add('create-issue', { ticketId }, { jobId: `issue:${ticketId}`, attempts: 1 });
    void queue.process('create-issue', async () => {
      throw new Error('job stalled more than allowable limit');
    });
    await waitUntil(async () => (await queue.getJob(`issue:${ticketId}`))?.isFailed(), { what: 'the job failed' });
    await queue.close();

    worker = await startTestWorker(api.config);
    await waitUntil(async () => (await call(api.url, 'GET', `/tickets/${ticketId}`, { token: customer.token })).body.forgejoIssueNumber, {
      timeoutMs: 20000,
      what: 'the ticket linked',
    });
    expect(forgejo.issues.filter((i) => i.title === 'Stalled away')).toHaveLength(1);
    expect(forgejo.violations).toEqual([]);
  });
});
