import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { waitUntil } from '../support/wait.js';
import { TcpProxy } from './tcp-proxy.js';

const UNAVAILABLE = { statusCode: 503, error: 'Service Unavailable', message: expect.any(String) };

describe('the API while Postgres is away for a while', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let api: TestApi;
  let customer: { token: string };

  const fileTicket = (title: string) =>
    call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title, description: `about ${title}` } });

  beforeAll(async () => {
    db = await createTestDatabase('outage');
    const real = new URL(db.url);
    proxy = await new TcpProxy({ host: real.hostname, port: Number(real.port || 5432) }).start();
    const viaProxy = new URL(db.url);
    viaProxy.port = String(proxy.port);
    api = await startTestApi({ DATABASE_URL: viaProxy.toString(), AUTH_RATE_LIMIT: '1000', ...adminEnv }, db);
    await createRepo(api.url, await adminToken(api.url), 'desk');
    customer = await newCustomer(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.stop();
    await db?.drop();
  });

  it('answers 503 meanwhile, /health names Postgres, and afterwards serves and projects again by itself', async () => {
    const before = await call(api.url, 'GET', '/tickets', { token: customer.token });
    expect(before.status).toBe(200);

    proxy.cut();
    const list = await call(api.url, 'GET', '/tickets', { token: customer.token });
    expect(list.status).toBe(503);
    expect(list.body).toEqual(UNAVAILABLE);
    const post = await fileTicket('while Postgres is away');
    expect(post.status).toBe(503);
    expect(post.body).toEqual(UNAVAILABLE);
    const health = await call(api.url, 'GET', '/health');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', checks: { postgres: 'down', redis: 'up' } });
    expect(health.body.message).toMatch(/^postgres(, eventStore)? (is|are) down$/);

    // down long enough for the service to have tried again (and been refused) several times
    const refusedSoFar = proxy.refused;
    await waitUntil(() => proxy.refused >= refusedSoFar + 3, { what: 'the service to try to reconnect' });
    proxy.restore();
    await waitUntil(async () => (await call(api.url, 'GET', '/health')).status === 200, { timeoutMs: 20000, what: '/health 200 again' });
    const created = await waitUntil(async () => {
      const reply = await fileTicket('after Postgres is back');
      return reply.status === 201 ? reply : null;
    }, { timeoutMs: 20000, what: 'a 201' });
    const read = await call(api.url, 'GET', `/tickets/${created!.body.id}`, { token: customer.token });
    expect(read.status).toBe(200);
    expect(read.body.title).toBe('after Postgres is back');
  });
});
