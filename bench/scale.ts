/*
 * `npm run bench:scale`: is the service flat as the log grows? The same measures on an empty store and on a store
 * of 1,000,000 events (100,000 tickets of 10 events each, COPY'd in bulk, their read models built by the rebuild,
 * one customer owning 10,000 of them), in one run, against the compiled service as `npm start` runs it:
 * POST /tickets, GET /tickets/:id and the customer's GET /tickets (autocannon, BENCH_CONNECTIONS connections,
 * BENCH_SECONDS each), that list paced at BENCH_RATE req/s (its p99), the signed webhook close paced at
 * BENCH_RATE req/s over distinct tickets, and a rebuild (events per second, against a plain COPY of the same rows
 * into fresh tables). Every figure of the big store is printed with its ratio to the empty store's; the API's and
 * the worker's peak RSS too. Prints; asserts nothing. BENCH_TICKETS (100000) scales the log down for a try.
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
import { PostgresEventStore, type EventMetadata } from '../libs/event-store/src/index.js';
import { rebuildReadModels } from '../libs/read-models/src/index.js';
import { forgejoHeaders } from '../test/webhooks/support.js';
import { copyScaleLog, issueNumberOf } from './scale-events.js';
import { BENCH_REPO, json, login, signIn, startApps, startService, stopApps, stopService, type Apps, type Service } from './service.js';
import { fmt, memoryMb, printTable, type BenchDatabase } from './support.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 100_000);
const OWNER_EVERY = 10; // the bench customer owns every 10th ticket: 10,000 of 100,000
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const RATE = Number(process.env.BENCH_RATE ?? 100);
const PACED_SECONDS = Number(process.env.BENCH_PACED_SECONDS ?? 15);
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
  store.figures.set(
    `webhook close at ${RATE}/s`,
    await paced(targets.issueNumbers.length, (i) => {
      const { body, headers } = closeDelivery(template, targets.issueNumbers[i]);
      return send(`${base}/webhooks/forgejo/${BENCH_REPO.slug}`, 'POST', headers, body);
    }),
  );
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

/** Linked open tickets for the close deliveries of the empty store, appended as the service would. */
async function seedClosable(db: BenchDatabase, count: number): Promise<number[]> {
  const store = new PostgresEventStore(db.pool);
  const metadata = (): EventMetadata => ({ actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() });
  const numbers = Array.from({ length: count }, (_, i) => 500_000 + i);
  for (const n of numbers) {
    const ticketId = randomUUID();
    const at = new Date().toISOString();
    await store.append(
      `ticket-${ticketId}`,
      [
        { id: randomUUID(), type: 'TicketCreated', data: { ticketId, repo: BENCH_REPO.slug, title: `t${n}`, description: 'd', customerId: randomUUID(), customerEmail: 'x@example.com', createdAt: at }, metadata: metadata() },
        { id: randomUUID(), type: 'ForgejoIssueLinked', data: { ticketId, issueNumber: n, owner: BENCH_REPO.owner, name: BENCH_REPO.name, linkedAt: at }, metadata: metadata() },
      ],
      'no_stream',
    );
  }
  await store.close();
  return numbers;
}

async function emptyStore(): Promise<Store> {
  const store: Store = { figures: new Map(), rebuild: null, peakMb: { api: 0, worker: 0 } };
  const service = await startService(APP_ENV);
  try {
    const auth = { authorization: `Bearer ${service.customerToken}` };
    const ticket = await json(`${service.base}/tickets`, { method: 'POST', headers: auth, body: JSON.stringify({ repo: BENCH_REPO.slug, title: 'one', description: 'the only one' }) });
    await json(`${service.base}/tickets/${ticket.id}/comments`, { method: 'POST', headers: auth, body: JSON.stringify({ body: 'a comment' }) });
    const issueNumbers = await seedClosable(service.db, RATE * PACED_SECONDS);
    await waitForTicket(service, issueNumbers[issueNumbers.length - 1]);
    await measure(service, service.customerToken, await registerPoster(service.base), service.adminToken, { ticketId: ticket.id, issueNumbers }, store);
    store.peakMb = peaks(service);
    return store;
  } finally {
    await stopService(service);
  }
}

/** Until the read model shows the ticket linked to issue `n` (the worker projects what was appended outside). */
async function waitForTicket(service: Service, n: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const { rowCount } = await service.db.pool.query('SELECT 1 FROM tickets WHERE forgejo_issue_number = $1', [n]);
    if (rowCount) return;
    await sleep(100);
  }
  throw new Error(`ticket of issue ${n} never projected`);
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

async function bigStore(): Promise<{ store: Store; seedSeconds: number; firstBuild: { events: number; seconds: number }; copySeconds: number; plan: string }> {
  const store: Store = { figures: new Map(), rebuild: null, peakMb: { api: 0, worker: 0 } };
  // first start: the admin, the repo and the customer, and the projections' names; stopped while the log is written
  const service = await startService(APP_ENV);
  try {
    await stopApps(service);
    const names = (await service.db.pool.query<{ name: string }>('SELECT name FROM projection_checkpoints')).rows.map((r) => r.name);
    let started = performance.now();
    const customerEmail = 'bench-customer@example.com';
    const ticketIds = await copyScaleLog(service.db, { tickets: TICKETS, customerId: service.customerId, customerEmail, ownerEvery: OWNER_EVERY, repo: BENCH_REPO });
    const seedSeconds = (performance.now() - started) / 1000;
    console.log(`seeded ${fmt(TICKETS * 10)} events in ${fmt(seedSeconds, 1)} s`);
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
    await service.db.pool.query('ANALYZE tickets; ANALYZE comments');
    const copySeconds = await plainCopySeconds(service.db);
    const plan = (
      await service.db.pool.query(`EXPLAIN (ANALYZE, BUFFERS) SELECT * FROM tickets WHERE owner_id = $1 ORDER BY seq DESC LIMIT 21`, [service.customerId])
    ).rows
      .map((r) => r['QUERY PLAN'])
      .join('\n');

    const apps = await startApps(service.db, service.forgejo, APP_ENV);
    Object.assign(service, apps);
    const { customerToken, adminToken } = await signIn(apps.base);
    // distinct open tickets for the closes, spread over the log; the customer's ticket from its middle
    const step = Math.max(1, Math.floor(TICKETS / (RATE * PACED_SECONDS)));
    const issueNumbers = Array.from({ length: Math.min(TICKETS, RATE * PACED_SECONDS) }, (_, k) => issueNumberOf((k * step + 1) % TICKETS));
    const ticketId = ticketIds[Math.floor(TICKETS / 2 / OWNER_EVERY) * OWNER_EVERY];
    await measure(apps, customerToken, await registerPoster(apps.base), adminToken, { ticketId, issueNumbers }, store);
    store.peakMb = peaks(apps);
    return { store, seedSeconds, firstBuild, copySeconds, plan };
  } finally {
    await stopService(service);
  }
}

const ms = (n: number) => fmt(n, 1);
const ratio = (big: number | null, empty: number | null, higherIsBetter: boolean) =>
  big === null || empty === null || !big || !empty ? '–' : `${fmt(higherIsBetter ? big / empty : empty / big, 2)}×`;

console.log(`bench:scale, node ${process.version}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
const empty = await emptyStore();
const big = await bigStore();
console.log(`\nempty store against ${fmt(TICKETS * 10)} events (${fmt(TICKETS)} tickets, the customer's ${fmt(TICKETS / OWNER_EVERY)}); ${CONNECTIONS} connections × ${SECONDS} s, paced ${RATE}/s × ${PACED_SECONDS} s`);
const rows: string[][] = [];
for (const [name, e] of empty.figures) {
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
printTable(['measure', 'empty req/s', 'big req/s', 'ratio', 'p99 ms empty / big', 'p99 ratio', 'failed'], rows);
const list = big.store.figures.get(`customer's GET /tickets at ${RATE}/s`)!;
console.log(`customer's list (10,000 tickets) paced at ${RATE}/s: p50 ${ms(list.p50)} ms, p99 ${ms(list.p99)} ms (target p99 < ${TARGETS.listP99Ms} ms)`);
console.log(`(targets: each ratio ≥ ${TARGETS.ratio}×; latency ratios are empty ÷ big, so ≥ ${TARGETS.ratio}× too)`);
const eps = (r: { events: number; seconds: number }) => r.events / r.seconds;
console.log(`\nrebuild of ${fmt(big.firstBuild.events)} events (in process, the first build): ${fmt(big.firstBuild.seconds, 1)} s = ${fmt(eps(big.firstBuild))} ev/s (target ≥ ${fmt(TARGETS.rebuildEventsPerSecond)})`);
console.log(`plain COPY of the same rows (tickets, comments) into fresh tables: ${fmt(big.copySeconds, 1)} s = ${fmt(big.firstBuild.events / big.copySeconds)} ev/s-equivalent; rebuild at ${fmt(big.copySeconds / big.firstBuild.seconds, 2)}× of COPY`);
if (big.store.rebuild) {
  console.log(`POST /admin/projections/rebuild on the big store: ${fmt(big.store.rebuild.events)} events in ${fmt(big.store.rebuild.seconds, 1)} s = ${fmt(eps(big.store.rebuild))} ev/s; on the empty store ${fmt(empty.rebuild!.events)} events in ${fmt(empty.rebuild!.seconds, 2)} s`);
}
console.log(`seeding: ${fmt(TICKETS * 10)} events COPY'd in ${fmt(big.seedSeconds, 1)} s`);
console.log(`\npeak RSS (VmHWM): empty store API ${fmt(empty.peakMb.api)} MB, worker ${fmt(empty.peakMb.worker)} MB; big store API ${fmt(big.store.peakMb.api)} MB, worker ${fmt(big.store.peakMb.worker)} MB (caps ${CAPS_MB.api} / ${CAPS_MB.worker} MB)`);
console.log(`\nthe customer's first page on the big store:\n${big.plan}`);
