import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { queuePrefix } from '../../libs/queues/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { runTs, type RunningProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const TOKEN = 'forgejo-test-token-killflush';
// this file empties its Redis database: one of its own, so no other test file's queues go with it
const REDIS_URL = 'redis://127.0.0.1:6379/7';

describe('the worker killed while Forgejo has created the issue but not answered, and Redis emptied', () => {
  let forgejo: FakeForgejo;
  let api: TestApi;
  let env: Record<string, string>;
  let worker: RunningProcess | null = null;
  let customer: { token: string };

  const startWorker = () => (worker = runTs('apps/worker/src/main.ts', env));

  beforeAll(async () => {
    forgejo = await new FakeForgejo(TOKEN).start();
    env = { FORGEJO_URL: forgejo.url, FORGEJO_API_TOKEN: TOKEN, REDIS_URL, ...adminEnv, AUTH_RATE_LIMIT: '1000', LOG_LEVEL: 'warn' };
    api = await startTestApi(env);
    env.DATABASE_URL = api.db.url;
    await createRepo(api.url, await adminToken(api.url), 'desk');
    customer = await newCustomer(api.url);
  });
  afterAll(async () => {
    if (worker && worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await api?.close();
    await forgejo?.stop();
  });

  it('after a restart there is exactly one issue', async () => {
    let killed!: () => void;
    const killedOnce = new Promise<void>((resolve) => (killed = resolve));
    forgejo.onIssueCreated = async (issue) => {
      if (issue.title !== 'Killed mid-call') return;
      forgejo.onIssueCreated = () => undefined;
      // the issue is committed in Forgejo; the worker dies before it hears so, and Redis forgets every job
      worker!.child.kill('SIGKILL');
      await worker!.exited;
      const redis = new Redis(REDIS_URL);
      await redis.flushdb();
      expect(await redis.keys(`${queuePrefix(api.config)}:*`)).toEqual([]);
      await redis.quit();
      killed();
    };
    startWorker();
    const created = await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title: 'Killed mid-call', description: 'd' } });
    expect(created.status).toBe(201);
    await killedOnce;
    expect(forgejo.issues.filter((i) => i.title === 'Killed mid-call')).toHaveLength(1);

    startWorker();
    const number = await waitUntil(
      async () => (await call(api.url, 'GET', `/tickets/${created.body.id}`, { token: customer.token })).body.forgejoIssueNumber,
      { timeoutMs: 30000, what: 'the ticket linked after the restart' },
    );
    const issues = forgejo.issues.filter((i) => i.title === 'Killed mid-call');
    expect(issues).toHaveLength(1);
    expect(issues[0].number).toBe(number);
    expect(forgejo.creates('issue').filter((r) => r.body.title === 'Killed mid-call')).toHaveLength(1);
    // Postgres remembered the attempt that Redis forgot: the restarted worker looked before it created
    expect(forgejo.requestsTo('GET', '/repos/acme/support-desk/issues').length).toBeGreaterThanOrEqual(1);
    const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM events WHERE stream_id = $1 AND type = $2', [
      `ticket-${created.body.id}`,
      'ForgejoIssueLinked',
    ]);
    expect(rows[0].n).toBe(1);
    expect(forgejo.violations).toEqual([]);
    worker!.child.kill('SIGTERM');
    expect((await worker!.exited).code).toBe(0);
  }, 90000);
});
