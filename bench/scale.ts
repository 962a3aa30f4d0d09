/*
 * `npm run bench:scale`: is the service flat as the log grows? The same measures on a small store and on a store
 * of 1,000,000 events, in one run. Both are made the same way: tickets of 10 events each (100,000 for the big
 * store, one customer owning 10,000 of them; 2,000 for the small one, the customer owning a page and more),
 * COPY'd in bulk with the decision-state rows the service keeps beside them, their read models built by the
 * rebuild, vacuumed, analyzed and checkpointed; then the compiled service as `npm start` runs it:
 * POST /tickets, GET /tickets/:id and the customer's GET /tickets (autocannon, BENCH_CONNECTIONS connections,
 * BENCH_SECONDS each), that list paced at BENCH_RATE req/s (its p99), the signed webhook close paced at
 * BENCH_RATE req/s over distinct tickets (after a warm-up on others), and a rebuild (events per second, against
 * a plain COPY of the same rows into fresh tables). Every figure of the big store is printed with its ratio to the
 * small store's; the API's and the worker's peak RSS too. Prints; asserts nothing. BENCH_TICKETS (100000) scales
 * the big log down for a try.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PostgresEventStore } from '../libs/event-store/src/index.js';
import { rebuildReadModels } from '../libs/read-models/src/index.js';
import { forgejoHeaders } from '../test/webhooks/support.js';
import { copyScaleLog, issueNumberOf } from './scale-events.js';
import { BENCH_REPO, json, login, signIn, startApps, startService, stopApps, stopService, type Apps } from './service.js';
import { fmt, memoryMb, printTable, type BenchDatabase } from './support.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const OWNER_EVERY = 10; // the bench customer owns every 10th ticket: 10,000 of 100,000
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 15);
// the closes measured, and a third as many more to warm up on: the small store holds just these tickets
const CLOSES = Math.round((RATE * PACED_SECONDS * 4) / 3);
// the small store's customer owns a first page of the list (20) and more
const SMALL_OWNER_EVERY = Math.floor(CLOSES / 22);
const CAPS_MB = { api: 250, worker: 200 };
const TARGETS = { ratio: 0.9, listP99Ms: 20, rebuildEventsPerSecond: 50_000 };
const root = fileURLToPath(new URL('../', import.meta.url));
const FIXTURE = join(process.env.FORGEJO_FIXTURES_DIR ?? join(root, '..', 'shared', 'forgejo', 'webhooks'), 'issues-closed.json');
// no reconcile pass reading back 100,000 issues from the fake Forgejo, no webhook rate limit (1,200/min would refuse a fifth of the closes): the measures are of requests
const APP_ENV = { FORGEJO_RECONCILE_INTERVAL_S: '0', LOG_LEVEL: 'warn', WEBHOOK_RATE_LIMIT: '1000000' };

interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
type Cannon = (options: { url: string; connections: number; duration: number; method?: string; headers?: Record<string, string>; body?: string }) => PromiseLike<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

interface Figure {
  reqPerSec: number | null;
  p50: number;
  p99: number;
  failed: number;
}

/** One store's figures, by measure name, and its rebuild and memory. */
interface Store {
  figures: Map<string, Figure>;
  rebuild: { events: number; seconds: number } | null;
  peakMb: { api: number; worker: number };
}

interface SeededStore {
  store: Store;
  seedSeconds: number;
  firstBuild: { events: number; seconds: number };
  copySeconds: number;
  plan: string;
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN;
};

async function cannon(url: string, init: { method?: string; headers: Record<string, string>; body?: string }): Promise<Figure> {
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, ...init });
  return { reqPerSec: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, failed: result.non2xx + result.errors };
}

const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
function send(url: string, method: string, headers: Record<string, string>, body?: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** `count` requests at RATE per second, whatever the answers take (open loop): latency percentiles. */
async function paced(count: number, op: (i: number) => Promise<number>): Promise<Figure> {
  const latencies: number[] = [];
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const begin = performance.now() + 20;
  for (let i = 0; i < count; i++) {
    const wait = begin + (i * 1000) / RATE - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    inFlight.push(
      op(i).then(
        (status) => {
          latencies.push(performance.now() - sent);
          if (status >= 300) failed++;
        },
        () => void failed++,
      ),
    );
  }
  await Promise.all(inFlight);
  return { reqPerSec: null, p50: percentile(latencies, 50), p99: percentile(latencies, 99), failed };
}

/** A signed issues/closed delivery of issue `n` of the bench repo: the fixture with its numbers and repository changed. */
function closeDelivery(template: Record<string, any>, n: number): { body: Buffer; headers: Record<string, string> } {
  const payload = structuredClone(template);
  payload.number = n;
  payload.issue.number = n;
  payload.issue.id = 100_000_000 + n;
  Object.assign(payload.repository, { name: BENCH_REPO.name, full_name: `${BENCH_REPO.owner}/${BENCH_REPO.name}` });
  payload.repository.owner.login = BENCH_REPO.owner;
  const body = Buffer.from(JSON.stringify(payload));
  return { body, headers: forgejoHeaders('issues', 'issues', body, randomUUID(), BENCH_REPO.webhookSecret) };
}

interface Targets {
  /** a ticket of the customer's, with its comments */
  ticketId: string;
  /** open tickets linked to these issue numbers, one per close delivery */
  issueNumbers: number[];
  /** a third as many others, for the warm-up */
  warmupIssueNumbers: number[];
}

/** Every measure against running apps; the peaks of both apps are read by the caller. */
async function measure(apps: Apps, customerToken: string, posterToken: string, adminToken: string, targets: Targets, store: Store): Promise<void> {
  const auth = (token: string) => ({ authorization: `Bearer ${token}` });
  const { base } = apps;
  store.figures.set('GET /tickets/:id', await cannon(`${base}/tickets/${targets.ticketId}`, { headers: auth(customerToken) }));
  store.figures.set("customer's GET /tickets", await cannon(`${base}/tickets`, { headers: auth(customerToken) }));
  store.figures.set(
    `customer's GET /tickets at ${RATE}/s`,
    await paced(RATE * PACED_SECONDS, () => send(`${base}/tickets`, 'GET', auth(customerToken))),
  );
  const template = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const closes = (numbers: number[]) =>
    paced(numbers.length, (i) => {
      const { body, headers } = closeDelivery(template, numbers[i]);
      return send(`${base}/webhooks/forgejo/${BENCH_REPO.slug}`, 'POST', headers, body);
    });
  // the close path's first seconds (fresh connections, cold code, the worker's first mail jobs) warm up on other tickets
  await closes(targets.warmupIssueNumbers);
  store.figures.set(`webhook close at ${RATE}/s`, await closes(targets.issueNumbers));
  // another customer files them, so the first customer's list stays as it was
  store.figures.set(
    'POST /tickets',
    await cannon(`${base}/tickets`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(posterToken) },
      body: JSON.stringify({ repo: BENCH_REPO.slug, title: 'Export stops after 1,000 rows', description: 'Steps: open Reports, choose Export.' }),
    }),
  );
  const started = performance.now();
  const rebuilt = await json(`${base}/admin/projections/rebuild`, { method: 'POST', headers: auth(adminToken) });
  store.rebuild = { events: rebuilt.eventsReplayed, seconds: (performance.now() - started) / 1000 };
}

async function registerPoster(base: string): Promise<string> {
  const account = { email: `poster-${randomUUID()}@example.com`, password: 'bench poster password' };
  await json(`${base}/auth/register`, { method: 'POST', body: JSON.stringify(account) });
  return login(base, account);
}

const peaks = (apps: Apps) => ({ api: memoryMb(apps.api.pid!, 'VmHWM') ?? NaN, worker: memoryMb(apps.worker.pid!, 'VmHWM') ?? NaN });

/**
 * What a store that grew over months has and a bulk load has not: its tables vacuumed and analyzed (autovacuum
 * would have; it may be off, as on the CI machine) and the bulk load's dirty pages written out, not still being
 * checkpointed (with full-page images of every page first touched after) while the measures run. Both stores get it.
 */
async function settle(db: BenchDatabase): Promise<void> {
  await db.pool.query('VACUUM (ANALYZE)');
  await db.pool.query('CHECKPOINT');
}

/** Seconds a plain COPY of the read-model rows takes into fresh tables like the live ones (psql to psql). */
async function plainCopySeconds(db: BenchDatabase): Promise<number> {
  await db.pool.query(`
    DROP TABLE IF EXISTS copy_comments, copy_tickets;
    CREATE TABLE copy_tickets (LIKE tickets INCLUDING ALL);
    CREATE TABLE copy_comments (LIKE comments INCLUDING ALL);
    ALTER TABLE copy_comments ADD FOREIGN KEY (ticket_id) REFERENCES copy_tickets (id);`);
  const started = performance.now();
  for (const [from, to] of [['tickets', 'copy_tickets'], ['comments', 'copy_comments']]) {
    const out = spawn('psql', [db.url, '-q', '-c', `COPY ${from} TO STDOUT`], { stdio: ['ignore', 'pipe', 'inherit'] });
    const into = spawn('psql', [db.url, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `COPY ${to} FROM STDIN`], { stdio: ['pipe', 'inherit', 'inherit'] });
    out.stdout.pipe(into.stdin);
    const [[a], [b]] = await Promise.all([once(out, 'exit'), once(into, 'exit')]);
    if (a !== 0 || b !== 0) throw new Error('the plain COPY failed');
  }
  const seconds = (performance.now() - started) / 1000;
  await db.pool.query('DROP TABLE copy_comments, copy_tickets');
  return seconds;
}

/**
 * A store of `tickets` tickets of 10 events each, one customer owning every `ownerEvery`-th, as both stores are
 * made: the log COPY'd in while the apps are stopped, the read models built by the rebuild, settled, the apps
 * started again, every measure taken.
 */
async function seededStore(tickets: number, ownerEvery: number): Promise<SeededStore> {
  const store: Store = { figures: new Map(), rebuild: null, peakMb: { api: 0, worker: 0 } };
  // first start: the admin, the repo and the customer, and the projections' names; stopped while the log is written
  const service = await startService(APP_ENV);
  try {
    await stopApps(service);
    const names = (await service.db.pool.query<{ name: string }>('SELECT name FROM projection_checkpoints')).rows.map((r) => r.name);
    let started = performance.now();
    const customerEmail = 'bench-customer@example.com';
    const ticketIds = await copyScaleLog(service.db, { tickets, customerId: service.customerId, customerEmail, ownerEvery, repo: BENCH_REPO });
    const seedSeconds = (performance.now() - started) / 1000;
    console.log(`seeded ${fmt(tickets * 10)} events in ${fmt(seedSeconds, 1)} s`);
    // every projection and saga has seen the seeded history (no Forgejo calls or emails owed for it)
    for (const name of new Set([...names, 'tickets', 'sagas'])) {
      await service.db.pool.query(
        `INSERT INTO projection_checkpoints (name, commit_position, prepare_position)
         SELECT $1, transaction_id::text::bigint, position FROM events ORDER BY transaction_id DESC, position DESC LIMIT 1
         ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position, prepare_position = EXCLUDED.prepare_position`,
        [name],
      );
    }
    started = performance.now();
    const reader = new PostgresEventStore(service.db.pool);
    const built = await rebuildReadModels(service.db.pool, reader);
    await reader.close();
    const firstBuild = { events: built.eventsReplayed, seconds: (performance.now() - started) / 1000 };
    console.log(`read models built by the rebuild: ${fmt(built.eventsReplayed)} events in ${fmt(firstBuild.seconds, 1)} s`);
    const copySeconds = await plainCopySeconds(service.db);
    await settle(service.db);
    const plan = (
      await service.db.pool.query(`EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM tickets WHERE owner_id = $1 ORDER BY seq DESC LIMIT 21`, [service.customerId])
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');

    const apps = await startApps(service.db, service.forgejo, APP_ENV);
    Object.assign(service, apps);
    const { customerToken, adminToken } = await signIn(apps.base);
    // distinct open tickets for the closes, spread over the log, every fourth for the warm-up; the customer's ticket from its middle
    const step = Math.max(1, Math.floor(tickets / CLOSES));
    const spread = Array.from({ length: Math.min(tickets, CLOSES) }, (_, k) => issueNumberOf((k * step) % tickets));
    const issueNumbers = spread.filter((_, k) => k % 4 !== 3);
    const warmupIssueNumbers = spread.filter((_, k) => k % 4 === 3);
    const ticketId = ticketIds[Math.floor(tickets / 2 / ownerEvery) * ownerEvery];
    await measure(apps, customerToken, await registerPoster(apps.base), adminToken, { ticketId, issueNumbers, warmupIssueNumbers }, store);
    store.peakMb = peaks(apps);
    return { store, seedSeconds, firstBuild, copySeconds, plan };
  } finally {
    await stopService(service);
  }
}

const ms = (n: number) => fmt(n, 1);
const ratio = (big: number | null, small: number | null, higherIsBetter: boolean) =>
  big === null || small === null || !big || !small ? '–' : `${fmt(higherIsBetter ? big / small : small / big, 2)}×`;

console.log(`bench:scale, node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const small = await seededStore(CLOSES, SMALL_OWNER_EVERY);
const big = await seededStore(TICKETS, OWNER_EVERY);
console.log(`\nsmall store (${fmt(CLOSES * 10)} events, ${fmt(CLOSES)} tickets, the customer's ${fmt(Math.ceil(CLOSES / SMALL_OWNER_EVERY))}) against ${fmt(TICKETS * 10)} events (${fmt(TICKETS)} tickets, the customer's ${fmt(TICKETS / OWNER_EVERY)}); ${CONNECTIONS} connections × ${SECONDS} s, paced ${RATE}/s × ${PACED_SECONDS} s`);
const rows: string[][] = [];
for (const [name, e] of small.store.figures) {
  const b = big.store.figures.get(name)!;
  rows.push([
    name,
    e.reqPerSec === null ? '–' : fmt(e.reqPerSec),
    b.reqPerSec === null ? '–' : fmt(b.reqPerSec),
    ratio(b.reqPerSec, e.reqPerSec, true),
    `${ms(e.p99)} / ${ms(b.p99)}`,
    ratio(b.p99, e.p99, false),
    `${e.failed} / ${b.failed}`,
  ]);
}
printTable(['measure', 'small req/s', 'big req/s', 'ratio', 'p99 ms small / big', 'p99 ratio', 'failed'], rows);
const list = big.store.figures.get(`customer's GET /tickets at ${RATE}/s`)!;
console.log(`customer's list (${fmt(TICKETS / OWNER_EVERY)} tickets) paced at ${RATE}/s: p50 ${ms(list.p50)} ms, p99 ${ms(list.p99)} ms (target p99 < ${TARGETS.listP99Ms} ms)`);
console.log(`(targets: each ratio ≥ ${TARGETS.ratio}×; latency ratios are small ÷ big, so ≥ ${TARGETS.ratio}× too)`);
const eps = (r: { events: number; seconds: number }) => r.events / r.seconds;
console.log(`\nrebuild of ${fmt(big.firstBuild.events)} events (in process, the first build): ${fmt(big.firstBuild.seconds, 1)} s = ${fmt(eps(big.firstBuild))} ev/s (target ≥ ${fmt(TARGETS.rebuildEventsPerSecond)})`);
console.log(`plain COPY of the same rows (tickets, comments) into fresh tables: ${fmt(big.copySeconds, 1)} s = ${fmt(big.firstBuild.events / big.copySeconds)} ev/s-equivalent; rebuild at ${fmt(big.copySeconds / big.firstBuild.seconds, 2)}× of COPY`);
if (big.store.rebuild) {
  console.log(`POST /admin/projections/rebuild on the big store: ${fmt(big.store.rebuild.events)} events in ${fmt(big.store.rebuild.seconds, 1)} s = ${fmt(eps(big.store.rebuild))} ev/s; on the small store ${fmt(small.store.rebuild!.events)} events in ${fmt(small.store.rebuild!.seconds, 2)} s`);
}
console.log(`seeding: ${fmt(TICKETS * 10)} events COPY'd in ${fmt(big.seedSeconds, 1)} s`);
console.log(`\npeak RSS (VmHWM): small store API ${fmt(small.store.peakMb.api)} MB, worker ${fmt(small.store.peakMb.worker)} MB; big store API ${fmt(big.store.peakMb.api)} MB, worker ${fmt(big.store.peakMb.worker)} MB (caps ${CAPS_MB.api} / ${CAPS_MB.worker} MB)`);
console.log(`\nthe customer's first page on the big store:\n${big.plan}`);
