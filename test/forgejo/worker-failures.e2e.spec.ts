import Bull from 'bull';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { comparePositions } from '../../libs/event-store/src/index.js';
import { readCheckpoint } from '../../libs/projections/src/index.js';
import { FORGEJO_QUEUE, queuePrefix } from '../../libs/queues/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { runTs, type RunningProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

const TOKEN = 'forgejo-test-token-xyz789';
// this file empties its Redis database: one of its own, so no other test file's queues go with it
const REDIS_URL = 'redis://127.0.0.1:6379/5';

describe('Forgejo sync through worker crashes and a lost Redis', () => {
  let forgejo: FakeForgejo;
  let api: TestApi;
  let customer: { token: string };
  let worker: RunningProcess | null = null;
  let env: Record<string, string>;

  const startWorker = (extra: Record<string, string> = {}) => {
    // a test that failed half-way leaves its worker running: it must not work the next test's jobs
    if (worker && worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    worker = runTs('apps/worker/src/main.ts', { ...env, ...extra });
    return worker;
  };
  const fileTickets = (prefix: string, count: number) =>
    Promise.all(
      Array.from({ length: count }, async (_, i) =>
        (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title: `${prefix} ${i}`, description: 'd' } })).body.id as string,
      ),
    );
  const allLinked = (ids: string[]) =>
    waitUntil(
      async () => {
        const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM tickets WHERE id = ANY($1) AND forgejo_issue_number IS NOT NULL', [ids]);
        return rows[0].n === ids.length;
      },
      { timeoutMs: 60000, what: `${ids.length} tickets linked` },
    );
  const issuesTitled = (prefix: string) => forgejo.issues.filter((i) => i.title.startsWith(`${prefix} `));

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
    await api.close();
    await forgejo.stop();
  });

  it('after a SIGKILL with 20 syncs in flight and a restart: 20 issues, none twice', async () => {
    // Forgejo creates the issue at once but answers a second later: the kill lands between the two
    forgejo.behaviour = () => ({ kind: 'ok', delayMs: 1000 });
    startWorker();
    const ids = await fileTickets('Crash', 20);
    await waitUntil(() => forgejo.creates('issue').filter((r) => r.body.title.startsWith('Crash ')).length === 20, {
      timeoutMs: 30000,
      what: '20 issue creations in flight',
    });
    worker!.child.kill('SIGKILL');
    await worker!.exited;
    expect(issuesTitled('Crash')).toHaveLength(20);

    forgejo.behaviour = () => ({ kind: 'ok' });
    startWorker();
    await allLinked(ids);
    const titles = issuesTitled('Crash').map((i) => i.title);
    expect(titles).toHaveLength(20);
    expect(new Set(titles).size).toBe(20);
    const { rows } = await api.db.pool.query('SELECT count(*)::int AS n FROM events WHERE type = $1 AND stream_id = ANY($2)', [
      'ForgejoIssueLinked',
      ids.map((id) => `ticket-${id}`),
    ]);
    expect(rows[0].n).toBe(20);
    worker!.child.kill('SIGTERM');
    expect((await worker!.exited).code).toBe(0);
  }, 120000);

  it('after Redis is emptied while 20 syncs are owed, the sweep completes all 20', async () => {
    forgejo.behaviour = (kind) => (kind === 'issue' ? { kind: 'status', status: 503 } : { kind: 'ok' });
    // creates failing while the version answers open the breaker (forgejo-breaker.ts): a short probe lets every
    // owed sync be tried within the wait below, as it releases them
    startWorker({ FORGEJO_PROBE_INTERVAL_MS: '100' });
    const ids = await fileTickets('Flushed', 20);
    await waitUntil(() => new Set(forgejo.creates('issue').filter((r) => r.body.title.startsWith('Flushed ')).map((r) => r.body.title)).size === 20, {
      timeoutMs: 30000,
      what: 'every sync tried once',
    });
    // the worker goes first: a live one writes its retrying jobs back the moment Redis is emptied
    worker!.child.kill('SIGKILL');
    await worker!.exited;
    const redis = new Redis(REDIS_URL);
    await redis.flushdb();
    expect(await redis.keys(`${queuePrefix(api.config)}:*`)).toEqual([]);
    await redis.quit();

    forgejo.behaviour = () => ({ kind: 'ok' });
    startWorker();
    await allLinked(ids);
    expect(issuesTitled('Flushed')).toHaveLength(20);
    worker!.child.kill('SIGTERM');
    await worker!.exited;
  }, 120000);

  it('with FORGEJO_URL unset: one warning at start, no jobs', async () => {
    const run = startWorker({ FORGEJO_URL: '', LOG_LEVEL: 'info' });
    await waitUntil(() => run.stdout().includes('FORGEJO_URL is not set'), { what: 'the warning' });
    const [id] = await fileTickets('Offline', 1);
    const { rows } = await api.db.pool.query('SELECT position, transaction_id::text AS tx FROM events WHERE stream_id = $1', [`ticket-${id}`]);
    const position = { commit: BigInt(rows[0].tx), prepare: BigInt(rows[0].position) };
    await waitUntil(async () => {
      const checkpoint = await readCheckpoint(api.db.pool, 'sagas');
      return checkpoint && comparePositions(checkpoint, position) >= 0;
    }, { what: 'the sagas to pass the ticket' });
    const queue = new Bull(FORGEJO_QUEUE, { redis: REDIS_URL, prefix: queuePrefix(api.config) });
    expect(await queue.getJob(`issue:${id}`)).toBeNull();
    await queue.close();
    expect(run.stdout().split('\n').filter((line) => line.includes('FORGEJO_URL is not set'))).toHaveLength(1);
    run.child.kill('SIGTERM');
    await run.exited;
  }, 60000);
});
