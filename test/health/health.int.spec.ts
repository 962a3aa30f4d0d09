import { afterAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { freePort } from '../support/ports.js';

describe('GET /health', () => {
  const apis: TestApi[] = [];
  let db: TestDatabase;
  afterAll(async () => {
    for (const api of apis) await api.close();
    await db?.drop();
  });

  it('is 200 with the state of Postgres, Redis and the event store', async () => {
    db = await createTestDatabase('health');
    const api = await startTestApi({}, db);
    apis.push(api);
    const response = await fetch(`${api.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', eventStore: 'up' } });
  });

  it('is 503 naming what is down', async () => {
    const closedPort = await freePort();
    const api = await startTestApi({ REDIS_URL: `redis://127.0.0.1:${closedPort}` }, db);
    apis.push(api);
    const response = await fetch(`${api.url}/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({
      statusCode: 503,
      error: 'Service Unavailable',
      message: 'redis is down',
      status: 'error',
      checks: { postgres: 'up', redis: 'down', eventStore: 'up' },
    });
  });

  it('names an unreachable EventStoreDB too', async () => {
    const [redisPort, esdbPort] = [await freePort(), await freePort()];
    const api = await startTestApi(
      { REDIS_URL: `redis://127.0.0.1:${redisPort}`, EVENTSTORE_URL: `esdb://127.0.0.1:${esdbPort}?tls=false` },
      db,
    );
    apis.push(api);
    const response = await fetch(`${api.url}/health`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { message: string; checks: unknown };
    expect(body.message).toBe('redis, eventStore are down');
    expect(body.checks).toEqual({ postgres: 'up', redis: 'down', eventStore: 'down' });
  });
});
