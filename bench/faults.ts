// npm run bench:faults: how long the running service (API and worker, compiled, as `npm start` runs them) takes
// to serve again after Postgres cuts all its sessions (and Redis all its queue connections): ms from the cut to
// /health 200 and to the first 201 of POST /tickets; and the peak resident memory of both while they serve one
// ticket of 1,000 comments of 65,535 non-ASCII characters. Prints figures; asserts nothing. Each measurement is a
// function of its own over a running service of its own (fresh database), so more can be added below.
import { setTimeout as sleep } from 'node:timers/promises';
import { queuePrefix } from '../libs/queues/src/index.js';
import { killRedisClients, terminatePostgresSessions } from '../test/faults/cut-sessions.js';
import { alive, json, REDIS_URL, startService, stopService, type Service } from './service.js';
import { fmt, inPool, median, memoryMb, nonAsciiText, printTable, projectionsBehind } from './support.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const BIG_COMMENTS = 1000; // the most a ticket may hold
const BIG_LENGTH = 65_535;
const SEEDING_CONCURRENCY = 4;
const CATCH_UP_TIMEOUT_MS = 180_000;
// the resident memory each app is given (the deployment's limits)
const CAPS_MB = { api: 250, worker: 200 };

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
// BENCH_ONLY=measureBigTicket (or measureReconnect) runs that one alone
for (const measure of [measureReconnect, measureBigTicket].filter((m) => !process.env.BENCH_ONLY || m.name === process.env.BENCH_ONLY)) {
  const service = await startService();
  try {
    await measure(service);
  } finally {
    await stopService(service);
  }
}
