import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { queuePrefix } from '../../libs/queues/src/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeForgejo } from '../support/fake-forgejo.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { freePort } from '../support/ports.js';
import { runTs, type RunningProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';
import { killRedisClients, terminatePostgresSessions } from './cut-sessions.js';

const TOKEN = 'forgejo-faults-token';
const REDIS_URL = 'redis://127.0.0.1:6379';

describe('the running service (API and worker processes) when Postgres and Redis cut its sessions', () => {
  let db: TestDatabase;
  let forgejo: FakeForgejo;
  let api: RunningProcess;
  let worker: RunningProcess;
  let url: string;
  let customer: { token: string };
  const exits: string[] = [];

  const fileTicket = async (title: string) => {
    const reply = await call(url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title, description: `about ${title}` } });
    expect(reply.status).toBe(201);
    return reply.body.id as string;
  };
  const ticketView = async (id: string) => (await call(url, 'GET', `/tickets/${id}`, { token: customer.token })).body;
  const linked = (id: string) => waitUntil(async () => (await ticketView(id))?.forgejoIssueNumber, { timeoutMs: 30000, what: `ticket ${id} linked` });
  const healthy = () => waitUntil(async () => (await fetch(`${url}/health`).catch(() => null))?.status === 200, { timeoutMs: 30000, what: '/health 200' });

  beforeAll(async () => {
    db = await createTestDatabase('faults');
    forgejo = await new FakeForgejo(TOKEN).start();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    const env = {
      ...adminEnv,
      DATABASE_URL: db.url,
      REDIS_URL,
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      FORGEJO_TIMEOUT_MS: '3000',
      AUTH_RATE_LIMIT: '1000',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    api = runTs('apps/api/src/main.ts', env);
    worker = runTs('apps/worker/src/main.ts', env);
    for (const [name, child] of [['api', api], ['worker', worker]] as const) {
      void child.exited.then(({ code, signal }) => exits.push(`${name} exited (code ${code}, signal ${signal})`));
    }
    await healthy();
    await createRepo(url, await adminToken(url), 'desk');
    customer = await newCustomer(url);
  }, 60000);
  afterAll(async () => {
    // FAULTS_DEBUG=1: the processes' own output, to see what they went through
    if (process.env.FAULTS_DEBUG) process.stderr.write(`--- api\n${api?.stdout()}${api?.stderr()}\n--- worker\n${worker?.stdout()}${worker?.stderr()}\n`);
    for (const child of [api, worker]) if (child?.child.exitCode === null) child.child.kill('SIGKILL');
    await Promise.all([api?.exited, worker?.exited]);
    await forgejo?.stop();
    await db?.drop();
  });

  it('stays up through two cuts in a row, then syncs a new ticket and a comment on an older one', async () => {
    const older = await fileTicket('filed before the cuts');
    await linked(older);

    for (let cut = 1; cut <= 2; cut++) {
      // requests in flight through the cut: served, or 503 while the database is away; never a 500
      const answered: string[] = [];
      let probing = true;
      const probes = Array.from({ length: 4 }, async (_, i) => {
        while (probing) {
          const reply =
            i % 2 === 0
              ? await call(url, 'GET', '/tickets?limit=5', { token: customer.token }).catch(() => null)
              : await call(url, 'POST', '/tickets', { token: customer.token, body: { repo: 'desk', title: `during cut ${cut}`, description: 'in flight' } }).catch(() => null);
          if (reply) answered.push(`${i % 2 === 0 ? 'GET' : 'POST'} ${reply.status}${reply.status === 503 ? ` ${JSON.stringify(reply.body)}` : ''}`);
        }
      });
      await waitUntil(() => answered.length >= 4, { what: 'requests in flight' });
      const sessions = await terminatePostgresSessions(db.url);
      const redisClients = await killRedisClients(REDIS_URL, queuePrefix({ databaseUrl: db.url }));
      expect(sessions).toBeGreaterThan(0);
      // two queues, each with its command, subscriber and blocking connection
      expect(redisClients).toBeGreaterThanOrEqual(3);
      await healthy();
      probing = false;
      await Promise.all(probes);
      expect(exits).toEqual([]);
      const unavailable = JSON.stringify({ statusCode: 503, error: 'Service Unavailable', message: 'The service is temporarily unavailable; try again shortly' });
      expect(answered.filter((line) => !['GET 200', 'POST 201', `GET 503 ${unavailable}`, `POST 503 ${unavailable}`].includes(line))).toEqual([]);

      const after = await fileTicket(`filed after cut ${cut}`);
      const comment = await call(url, 'POST', `/tickets/${older}/comments`, { token: customer.token, body: { body: `still there after cut ${cut}?` } });
      expect(comment.status).toBe(201);
      expect(await linked(after)).toEqual(expect.any(Number));
      const forgejoCommentId = await waitUntil(
        async () => (await ticketView(older)).comments.find((c: { id: string }) => c.id === comment.body.id)?.forgejoCommentId,
        { timeoutMs: 30000, what: `the comment after cut ${cut} to reach Forgejo` },
      );
      expect(forgejo.comments.find((c) => c.id === forgejoCommentId)?.body).toMatch(new RegExp(`^still there after cut ${cut}\\?`));
    }
    expect(exits).toEqual([]);
    expect(api.stderr()).not.toMatch(/unhandled|uncaught/i);
    expect(worker.stderr()).not.toMatch(/unhandled|uncaught/i);
    expect(forgejo.violations).toEqual([]);
    // exactly once, through every cut
    expect(forgejo.issues.filter((issue) => issue.title === 'filed before the cuts')).toHaveLength(1);
  }, 180000);
});
