// npm run bench:faults: how long the running service (API and worker, compiled, as `npm start` runs them) takes
// to serve again after Postgres cuts all its sessions (and Redis all its queue connections): ms from the cut to
// /health 200 and to the first 201 of POST /tickets; and the peak resident memory of both while they serve one
// ticket of 1,000 comments of 65,535 non-ASCII characters. Prints figures; asserts nothing. Each measurement is a
// function of its own over a running service of its own (fresh database), so more can be added below.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { queuePrefix } from '../libs/queues/src/index.js';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { killRedisClients, terminatePostgresSessions } from '../test/faults/cut-sessions.js';
import { FakeForgejo } from '../test/support/fake-forgejo.js';
import { freePort } from '../test/support/ports.js';
import { fmt, freshDatabase, inPool, median, memoryMb, nonAsciiText, printTable, projectionsBehind, type BenchDatabase } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BIG_COMMENTS = 1000; // the most a ticket may hold
const BIG_LENGTH = 65_535;
const SEEDING_CONCURRENCY = 4;
const CATCH_UP_TIMEOUT_MS = 180_000;
// the resident memory each app is given (the deployment's limits)
const CAPS_MB = { api: 250, worker: 200 };
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

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

async function stopService(service: Service): Promise<void> {
  for (const child of [service.api, service.worker]) {
    if (alive(child)) {
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

/** Status of a request, or null when it got no answer at all (the API gone). */
async function statusOf(url: string, init: RequestInit): Promise<number | null> {
  const reply = await fetch(url, init).catch(() => null);
  await reply?.arrayBuffer();
  return reply?.status ?? null;
}

/**
 * One ticket of 1,000 comments of 65,535 non-ASCII characters, seeded and then served by every route that reads
 * it, and projected (and rebuilt) by the worker: the peak resident memory (VmHWM) of each app after each phase.
 */
async function measureBigTicket(service: Service): Promise<void> {
  const { base } = service;
  const customer = { authorization: `Bearer ${service.customerToken}` };
  const admin = { authorization: `Bearer ${service.adminToken}` };
  const rows: string[][] = [];
  let phaseStarted = performance.now();
  const phase = (name: string, outcome: string) => {
    const peak = [service.api, service.worker].map((child) => memoryMb(child.pid!, 'VmHWM'));
    rows.push([name, fmt((performance.now() - phaseStarted) / 1000, 1), outcome, ...peak.map((mb) => (mb === null ? 'gone' : fmt(mb)))]);
    phaseStarted = performance.now();
  };

  const ticket = await json(`${base}/tickets`, {
    method: 'POST',
    headers: customer,
    body: JSON.stringify({ repo: 'bench', title: 'Большой', description: nonAsciiText(BIG_LENGTH, -1) }),
  });
  const seeded = new Map<number | null, number>();
  await inPool(BIG_COMMENTS, SEEDING_CONCURRENCY, async (i) => {
    const status = await statusOf(`${base}/tickets/${ticket.id}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...customer },
      body: JSON.stringify({ body: nonAsciiText(BIG_LENGTH, i) }),
    });
    seeded.set(status, (seeded.get(status) ?? 0) + 1);
  });
  phase(`POST ${BIG_COMMENTS} comments (${SEEDING_CONCURRENCY} at a time)`, [...seeded].map(([status, n]) => `${n}× ${status ?? 'no answer'}`).join(', '));

  let served = 0;
  let pages = 1;
  const first = await fetch(`${base}/tickets/${ticket.id}`, { headers: customer });
  const firstBody = first.ok ? ((await first.json()) as { comments: unknown[]; commentsNextCursor: string | null }) : (await first.arrayBuffer(), null);
  served += firstBody?.comments.length ?? 0;
  let cursor: string | null = firstBody?.commentsNextCursor ?? null;
  let pageStatus = first.status;
  while (cursor && pageStatus === 200) {
    const page = await fetch(`${base}/tickets/${ticket.id}/comments?limit=200&cursor=${encodeURIComponent(cursor)}`, { headers: customer });
    pageStatus = page.status;
    const body = page.ok ? ((await page.json()) as { items: unknown[]; nextCursor: string | null }) : (await page.arrayBuffer(), null);
    served += body?.items.length ?? 0;
    cursor = body?.nextCursor ?? null;
    pages++;
  }
  phase('GET /tickets/:id, then its comments to the end', `${first.status}; ${served} comments in ${pages} pages, last ${pageStatus}`);

  const history = await fetch(`${base}/admin/tickets/${ticket.id}/history`, { headers: admin });
  const historyText = history.ok ? await history.text() : (await history.arrayBuffer(), '');
  const events = historyText ? JSON.parse(historyText).events.length : 0;
  phase('GET /admin/tickets/:id/history', `${history.status}; ${events} events, ${fmt(Buffer.byteLength(historyText) / 2 ** 20)} MiB`);

  const caughtUp = async () => {
    const deadline = performance.now() + CATCH_UP_TIMEOUT_MS;
    while (performance.now() < deadline) {
      const behind = await projectionsBehind(service.db.pool).catch(() => null);
      if (behind === 0 && service.forgejo.comments.length >= BIG_COMMENTS) return 'caught up';
      await sleep(200);
    }
    return `not caught up in ${CATCH_UP_TIMEOUT_MS / 1000} s`;
  };
  phase('worker: projections and Forgejo comments caught up', `${await caughtUp()}; ${service.forgejo.comments.length} comments in Forgejo`);

  const rebuild = await fetch(`${base}/admin/projections/rebuild`, { method: 'POST', headers: admin });
  const rebuilt = rebuild.ok ? ((await rebuild.json()) as { eventsReplayed: number }) : (await rebuild.arrayBuffer(), null);
  phase('POST /admin/projections/rebuild', `${rebuild.status}; ${rebuilt?.eventsReplayed ?? '?'} events replayed`);
  phase('worker: projections caught up again', await caughtUp());

  console.log(`\none ticket of ${BIG_COMMENTS} comments of ${fmt(BIG_LENGTH)} non-ASCII characters: peak RSS (VmHWM) after each phase`);
  printTable(['phase', 's', 'outcome', 'API MB', 'worker MB'], rows);
  const [apiMb, workerMb] = [service.api, service.worker].map((child) => memoryMb(child.pid!, 'VmHWM'));
  const show = (mb: number | null, cap: number) => `${mb === null ? 'gone' : `${fmt(mb)} MB`} (cap ${cap} MB)`;
  console.log(`peak RSS: API ${show(apiMb, CAPS_MB.api)}, worker ${show(workerMb, CAPS_MB.worker)}`);
  const health = await statusOf(`${base}/health`, {});
  console.log(`both processes alive: ${alive(service.api) && alive(service.worker) ? 'yes' : `no (API ${alive(service.api) ? 'alive' : 'exited'}, worker ${alive(service.worker) ? 'alive' : 'exited'})`}; /health ${health ?? 'no answer'}`);
}

console.log(`bench:faults, node ${process.version}`);
for (const measure of [measureReconnect, measureBigTicket]) {
  const service = await startService();
  try {
    await measure(service);
  } finally {
    await stopService(service);
  }
}
