import type { INestApplicationContext } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { startTestWorker } from '../support/worker.js';
import { TcpProxy } from './tcp-proxy.js';

const TOKEN = 'forgejo-redis-outage-token';

describe('the worker while Redis is away for a while', () => {
  let forgejo: FakeForgejo;
  let redis: TcpProxy;
  let api: TestApi;
  let worker: INestApplicationContext;
  let customer: { token: string };

  const ticketView = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: customer.token })).body;

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    redis = await new TcpProxy({ host: '127.0.0.1', port: 6379 }).start();
    api = await startTestApi({
      ...adminEnv,
      AUTH_RATE_LIMIT: '1000',
      REDIS_URL: `redis://127.0.0.1:${redis.port}`,
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      FORGEJO_TIMEOUT_MS: '3000',
    });
    await createRepo(api.url, await adminToken(api.url), 'desk');
    customer = await newCustomer(api.url);
    worker = await startTestWorker(api.config);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await redis?.stop();
    await forgejo?.stop();
  });

  it('syncs a ticket filed meanwhile once Redis is back, with no admin action', async () => {
    redis.cut();
    const filed = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title: 'while Redis is away', description: 'queued later' } });
    expect(filed.status).toBe(201);
    const health = await call(api.url, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body.checks).toMatchObject({ postgres: 'up', redis: 'down' });
    const refusedSoFar = redis.refused;
    await waitUntil(() => redis.refused >= refusedSoFar + 3, { what: 'the worker to try to reconnect' });
    expect(forgejo.creates('issue')).toHaveLength(0);

    redis.restore();
    const number = await waitUntil(async () => (await ticketView(filed.body.id)).forgejoIssueNumber, { timeoutMs: 30000, what: 'the ticket linked' });
    expect(forgejo.issues.filter((issue) => issue.title === 'while Redis is away')).toEqual([expect.objectContaining({ number })]);
    expect(forgejo.violations).toEqual([]);
  }, 60000);
});
