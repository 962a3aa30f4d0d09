// npm run bench:faults: how long the running service (API and worker, compiled, as `npm start` runs them) takes
// to serve again after Postgres cuts all its sessions (and Redis all its queue connections): ms from the cut to
// /health 200 and to the first 201 of POST /tickets. Prints figures; asserts nothing. Each measurement is a
// function of its own over one running service, so more can be added below.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { queuePrefix } from '../libs/queues/src/index.js';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { killRedisClients, terminatePostgresSessions } from '../test/faults/cut-sessions.js';
import { FakeForgejo } from '../test/support/fake-forgejo.js';
import { freePort } from '../test/support/ports.js';
import { fmt, freshDatabase, median, printTable, type BenchDatabase } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const TOKEN = 'bench-token';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const root = fileURLToPath(new URL('../', import.meta.url));

/** The service under measurement: both apps running, an admin, a repo `bench` and a customer's token. */
export interface Service {
  base: string;
  db: BenchDatabase;
  forgejo: FakeForgejo;
  api: ChildProcess;
  worker: ChildProcess;
  customerToken: string;
  adminToken: string;
}

async function json(url: string, init: RequestInit = {}): Promise<any> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function start(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...APP_NODE_FLAGS, entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function startService(): Promise<Service> {
  const db = await freshDatabase();
  const forgejo = await new FakeForgejo(TOKEN).start();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: db.url,
    REDIS_URL,
    PORT: String(port),
    FORGEJO_URL: forgejo.url,
    FORGEJO_API_TOKEN: TOKEN,
    ADMIN_EMAIL: 'bench-admin@example.com',
    ADMIN_PASSWORD: 'bench admin password',
    AUTH_RATE_LIMIT: '100000',
    LOG_LEVEL: 'error',
  };
  const api = start('dist/apps/api/src/main.js', env);
  const worker = start('dist/apps/worker/src/main.js', env);
  for (let i = 0; !(await fetch(`${base}/health`).catch(() => null))?.ok; i++) {
    if (i > 300) throw new Error('the API did not come up');
    await sleep(100);
  }
  const adminToken = (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }) })).token;
  await json(`${base}/admin/repos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ slug: 'bench', owner: 'acme', name: 'desk', webhookSecret: 'secret' }),
  });
  const customer = { email: 'bench-customer@example.com', password: 'bench customer password' };
  await json(`${base}/auth/register`, { method: 'POST', body: JSON.stringify(customer) });
  const customerToken = (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify(customer) })).token;
  return { base, db, forgejo, api, worker, customerToken, adminToken };
}

async function stopService(service: Service): Promise<void> {
  for (const child of [service.api, service.worker]) {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
  await service.forgejo.stop();
  await service.db.drop();
}

/** ms from `since` until `attempt` first succeeds (tried every 10 ms). */
async function until(since: number, attempt: () => Promise<boolean>): Promise<number> {
  while (!(await attempt().catch(() => false))) await sleep(10);
  return performance.now() - since;
}

/** Postgres sessions and Redis queue connections cut, rounds apart: time to /health 200 and to a 201 POST. */
async function measureReconnect(service: Service): Promise<void> {
  const health: number[] = [];
  const post: number[] = [];
  const rows: string[][] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const cutAt = performance.now();
    const [sessions, redisClients] = await Promise.all([
      terminatePostgresSessions(service.db.url),
      killRedisClients(REDIS_URL, queuePrefix({ databaseUrl: service.db.url })),
    ]);
    const [toHealth, toPost] = await Promise.all([
      until(cutAt, async () => (await fetch(`${service.base}/health`)).status === 200),
      until(cutAt, async () => {
        const reply = await fetch(`${service.base}/tickets`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${service.customerToken}` },
          body: JSON.stringify({ repo: 'bench', title: `after cut ${round}`, description: 'measuring the reconnect' }),
        });
        return reply.status === 201;
      }),
    ]);
    health.push(toHealth);
    post.push(toPost);
    rows.push([`round ${round}`, String(sessions), String(redisClients), fmt(toHealth), fmt(toPost)]);
    // let the service settle (the worker's projections stand by again) before the next cut
    await sleep(1000);
  }
  rows.push(['median', '', '', fmt(median(health)), fmt(median(post))]);
  console.log(`\nreconnect after a cut of every session (${ROUNDS} rounds)`);
  printTable(['', 'pg sessions cut', 'redis conns killed', 'ms to /health 200', 'ms to first 201 POST'], rows);
  const exited = [service.api, service.worker].filter((child) => child.exitCode !== null).length;
  console.log(`processes exited meanwhile: ${exited}`);
}

const service = await startService();
try {
  console.log(`bench:faults, node ${process.version}`);
  await measureReconnect(service);
} finally {
  await stopService(service);
}
