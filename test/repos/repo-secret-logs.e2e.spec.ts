import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { adminEnv, adminToken, call } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { runTs, type RunningProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

describe('webhook secrets in the logs of the API process', () => {
  let db: TestDatabase;
  let api: RunningProcess;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('repologs');
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = runTs('apps/api/src/main.ts', {
      LOG_LEVEL: 'debug',
      PORT: String(port),
      DATABASE_URL: db.url,
      BASE_URL: 'https://tickets.example.com',
      ...adminEnv,
    });
    await waitUntil(() => api.stdout().includes('listening on') || api.child.exitCode !== null, {
      timeoutMs: 30000,
      what: 'the API to listen',
    });
    expect(api.child.exitCode).toBeNull();
  });

  afterAll(async () => {
    if (api?.child.exitCode === null) api.child.kill('SIGKILL');
    await db?.drop();
  });

  it('never logs a secret: not on create, conflict, bad input, change or delete', async () => {
    const token = await adminToken(url);
    const [first, second, rejected] = [`first-${randomUUID()}`, `second-${randomUUID()}`, `rejected-${randomUUID()}`];
    const statuses = [
      (await call(url, 'POST', '/admin/repos', { token, body: { slug: 'logged', owner: 'acme', name: 'svc', webhookSecret: first } })).status,
      (await call(url, 'POST', '/admin/repos', { token, body: { slug: 'logged', owner: 'acme', name: 'svc', webhookSecret: first } })).status,
      (await call(url, 'POST', '/admin/repos', { token, body: { slug: 'Bad', owner: 'acme', name: 'svc', webhookSecret: rejected } })).status,
      (await call(url, 'PATCH', '/admin/repos/logged', { token, body: { webhookSecret: rejected, extra: true } })).status,
      (await call(url, 'PATCH', '/admin/repos/logged', { token, body: { webhookSecret: second } })).status,
      (await call(url, 'DELETE', '/admin/repos/logged', { token })).status,
    ];
    expect(statuses).toEqual([201, 409, 400, 400, 200, 204]);
    // the request log line of the last request is written once its response is sent
    await waitUntil(() => api.stdout().split('\n').some((line) => line.includes('"DELETE"') && line.includes('"res"')), {
      what: 'the log line of the DELETE',
    });
    const output = api.stdout() + api.stderr();
    expect(output).toContain('/admin/repos');
    for (const secret of [first, second, rejected]) expect(output).not.toContain(secret);
  });
});
