/*
 * `npm run bench:webhook`: latency of the close webhook (POST /webhooks/forgejo/:slug with a signed issues/closed
 * delivery) at a paced 100 requests per second, each delivery closing a different ticket, against the real API
 * (built, in a child process) with the worker running beside it as `npm start` runs them (SMTP_URL unset: the
 * resolved emails go to the worker's log). A paced GET /health at the same rate is the reference: what the HTTP
 * stack and this client cost alone. Then the reply path the same way: signed issue_comment/created deliveries
 * of a `/reply` comment, each a new team reply on a different ticket (the replies' emails go to the worker's
 * log too). Prints p50/p99. Last, once the API and worker are stopped, reconcile's cost: one pass over 10,000
 * linked tickets of which 100 changed (bench/reconcile.ts, which `npm run bench:reconcile` runs alone). Asserts
 * nothing (exit 0 unless something crashed).
 *
 * BENCH_RATE (100 req/s), BENCH_SECONDS (30), BENCH_WARMUP_SECONDS (5), BENCH_WORKER=0 to run the API alone,
 * BENCH_LOG_LEVEL (info, the default of a deployment), BENCH_API_NODE_ARGS and BENCH_WORKER_NODE_ARGS (node flags for the API or the worker, e.g. --cpu-prof);
 * the reconcile part's BENCH_TICKETS (10000) and BENCH_CHANGED (100), BENCH_RECONCILE=0 to leave that part out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { PostgresEventStore, type EventMetadata } from '../libs/event-store/src/index.js';
import { queuePrefix } from '../libs/queues/src/index.js';
import { ReposRepository } from '../libs/repos/src/index.js';
import { forgejoHeaders } from '../test/webhooks/support.js';
import { freePort } from '../test/support/ports.js';
import { reconcileCost } from './reconcile.js';
import { cpuMs, cpuMsOf, fmt, machineCpuMs, freshDatabase, printTable, projectionsBehind, type BenchDatabase } from './support.js';

const RATE = Number(process.env.BENCH_RATE ?? 100);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 5);
const WITH_WORKER = process.env.BENCH_WORKER !== '0';
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info';
const TARGET_P99_MS = 50;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SLUG = 'bench-desk';
const SECRET = 'bench-webhook-secret';

const root = fileURLToPath(new URL('../', import.meta.url));
const FIXTURES = process.env.FORGEJO_FIXTURES_DIR ?? join(root, '..', 'shared', 'forgejo', 'webhooks');
const FIXTURE = join(FIXTURES, 'issues-closed.json');
const REPLY_FIXTURE = join(FIXTURES, 'issue_comment-created.json');

interface Child {
  name: string;
  process: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

// extra node flags for the API (or worker) child when looking into it, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
const API_NODE_ARGS = (process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean);
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);

function start(name: string, entry: string, env: Record<string, string>, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, entry], { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (chunk: Buffer) => void (tail = (tail + chunk.toString()).slice(-16_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { name, process: child, exited, output: () => tail };
}

async function stop(child: Child | null): Promise<void> {
  if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
  child.process.kill('SIGTERM');
  if ((await Promise.race([child.exited, sleep(15_000).then(() => 'timeout' as const)])) === 'timeout') child.process.kill('SIGKILL');
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

// one keep-alive agent, as Forgejo's HTTP client keeps its connections
const agent = new Agent({ keepAlive: true, maxSockets: Infinity });

function send(base: URL, method: string, path: string, headers: Record<string, string> = {}, body?: Buffer): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: base.hostname, port: base.port, method, path, headers: body ? { ...headers, 'content-length': String(body.length) } : headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

interface Paced {
  latencies: number[];
  /** how late each request left against its schedule: the client's own lag, not counted in the latencies */
  lags: number[];
  outcomes: Map<string, number>;
}

/** `count` requests, one every 1000/RATE ms whatever the answers take (open loop); latency from send to answer. */
async function paced(count: number, op: (i: number) => Promise<string>): Promise<Paced> {
  const interval = 1000 / RATE;
  const latencies: number[] = [];
  const lags: number[] = [];
  const outcomes = new Map<string, number>();
  const inFlight: Promise<void>[] = [];
  const begin = performance.now() + 20;
  for (let i = 0; i < count; i++) {
    const due = begin + i * interval;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sent = performance.now();
    lags.push(sent - due);
    inFlight.push(
      op(i).then(
        (outcome) => {
          latencies.push(performance.now() - sent);
          outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
        },
        (error: unknown) => void outcomes.set(`error ${String(error)}`, (outcomes.get(`error ${String(error)}`) ?? 0) + 1),
      ),
    );
  }
  await Promise.all(inFlight);
  return { latencies, lags, outcomes };
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};

/** A signed issues/closed delivery for issue `n`: the fixture, with its numbers changed. */
function delivery(template: Record<string, any>, n: number): { body: Buffer; headers: Record<string, string> } {
  const payload = structuredClone(template);
  payload.number = n;
  payload.issue.number = n;
  payload.issue.id = 100_000 + n;
  const body = Buffer.from(JSON.stringify(payload, null, 2));
  return { body, headers: forgejoHeaders('issues', 'issues', body, randomUUID(), SECRET) };
}

/** A signed issue_comment/created delivery of a team reply (`/reply …`) on issue `n`: the fixture, its numbers changed. */
function replyDelivery(template: Record<string, any>, n: number): { body: Buffer; headers: Record<string, string> } {
  const payload = structuredClone(template);
  payload.issue.number = n;
  payload.issue.id = 100_000 + n;
  payload.comment.id = 1_000_000 + n;
  payload.comment.body = `/reply The fix for #${n} is deployed; please try the export again.`;
  const body = Buffer.from(JSON.stringify(payload, null, 2));
  return { body, headers: forgejoHeaders('issue_comment', 'issue_comment', body, randomUUID(), SECRET) };
}

/** `count` tickets in the bench repo, each linked to issue 1…count, written straight to the event store. */
async function seedTickets(db: BenchDatabase, count: number): Promise<void> {
  const store = new PostgresEventStore(db.pool);
  const customerId = randomUUID();
  const metadata = (): EventMetadata => ({ actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() });
  const queue = Array.from({ length: count }, (_, i) => i + 1);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const ticketId = randomUUID();
        const at = new Date().toISOString();
        await store.append(
          `ticket-${ticketId}`,
          [
            {
              id: randomUUID(),
              type: 'TicketCreated',
              data: { ticketId, repo: SLUG, title: `Export truncated #${n}`, description: 'The export stops at 1,000 rows.', customerId, customerEmail: 'bench@example.com', createdAt: at },
              metadata: metadata(),
            },
            { id: randomUUID(), type: 'ForgejoIssueLinked', data: { ticketId, issueNumber: n, linkedAt: at }, metadata: metadata() },
          ],
          'no_stream',
        );
      }
    }),
  );
}

async function dropQueues(db: BenchDatabase): Promise<void> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const prefix = queuePrefix({ databaseUrl: db.url });
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

async function main(): Promise<void> {
  const begun = performance.now();
  const db = await freshDatabase();
  let api: Child | null = null;
  let worker: Child | null = null;
  const cleanup = async () => {
    await Promise.all([stop(api), stop(worker)]);
    agent.destroy();
    await dropQueues(db).catch(() => undefined);
    await db.drop();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  try {
    const warmup = Math.round(RATE * WARMUP_SECONDS);
    const measured = Math.round(RATE * SECONDS);
    console.log(`bench database ${db.name}`);
    console.log('machine');
    console.log(`  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);

    await new ReposRepository(db.pool).create({ slug: SLUG, owner: 'acme', name: 'support-desk', webhookSecret: SECRET });
    const port = await freePort();
    const base = new URL(`http://127.0.0.1:${port}`);
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL,
      LOG_LEVEL,
      // one slug takes every delivery here: 100/s is 6,000 a minute, over the default limit of 1,200
      WEBHOOK_RATE_LIMIT: '1000000',
    };
    api = start('api', 'dist/apps/api/src/main.js', { ...env, PORT: String(port) }, API_NODE_ARGS);
    if (WITH_WORKER) worker = start('worker', 'dist/apps/worker/src/main.js', env, WORKER_NODE_ARGS);
    await until('the API to answer /health', 60_000, async () => {
      if (api!.process.exitCode !== null) throw new Error(`the API exited:\n${api!.output()}`);
      return (await send(base, 'GET', '/health').catch(() => ({ status: 0 }))).status === 200;
    });

    console.log(`\nseeding ${fmt(warmup + measured)} tickets, each linked to its own issue`);
    await seedTickets(db, warmup + measured);
    await until('the read model to show every link', 120_000, async () => {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM tickets WHERE forgejo_issue_number IS NOT NULL');
      return rows[0].n === warmup + measured;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n--- api output ---\n${api!.output().slice(-3000)}`);
    });
    // and the worker's sagas past the seeded history, so the closes are measured on a service at rest, not one still working through a backlog
    if (WITH_WORKER) await until('the worker to catch up with the seeded history', 120_000, async () => (await projectionsBehind(db.pool)) === 0);

    const template = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const deliveries = Array.from({ length: warmup + measured }, (_, i) => delivery(template, i + 1));
    const close = (i: number) =>
      send(base, 'POST', `/webhooks/forgejo/${SLUG}`, deliveries[i].headers, deliveries[i].body).then((r) =>
        r.status === 200 ? (JSON.parse(r.text).result as string) : `HTTP ${r.status}`,
      );

    console.log(`\npaced at ${RATE} req/s: ${WARMUP_SECONDS} s of closes to warm up, GET /health for ${WARMUP_SECONDS} s (reference), then ${SECONDS} s of closes measured${WITH_WORKER ? ', worker running' : ', API alone'}`);
    const warm = await paced(warmup, (i) => close(i));
    const health = await paced(warmup, () => send(base, 'GET', '/health').then((r) => `HTTP ${r.status}`));
    const cpuBefore = {
      api: cpuMs(api.process.pid!),
      worker: worker ? cpuMs(worker.process.pid!) : 0,
      bench: process.cpuUsage(),
      postgres: cpuMsOf('postgres', db.name),
      redis: cpuMsOf('redis-server'),
      machine: machineCpuMs(),
      wall: performance.now(),
    };
    const run = await paced(measured, (i) => close(warmup + i));
    const bench = process.cpuUsage(cpuBefore.bench);
    const cpu = {
      api: (cpuMs(api.process.pid!) - cpuBefore.api) / measured,
      worker: worker ? (cpuMs(worker.process.pid!) - cpuBefore.worker) / measured : null,
      bench: (bench.user + bench.system) / 1000 / measured,
      postgres: (cpuMsOf('postgres', db.name) - cpuBefore.postgres) / measured,
      redis: (cpuMsOf('redis-server') - cpuBefore.redis) / measured,
    };
    const machine = machineCpuMs();
    const machineBusyMs = machine.busy - cpuBefore.machine.busy;
    const machineBusy = machineBusyMs / (machine.total - cpuBefore.machine.total);
    const wallMs = performance.now() - cpuBefore.wall;

    const closedEvents = Number((await db.pool.query(`SELECT count(*) FROM events WHERE type = 'IssueClosed'`)).rows[0].count);

    const replyTemplate = JSON.parse(readFileSync(REPLY_FIXTURE, 'utf8'));
    const replies = Array.from({ length: warmup + measured }, (_, i) => replyDelivery(replyTemplate, i + 1));
    const reply = (i: number) =>
      send(base, 'POST', `/webhooks/forgejo/${SLUG}`, replies[i].headers, replies[i].body).then((r) =>
        r.status === 200 ? (JSON.parse(r.text).result as string) : `HTTP ${r.status}`,
      );
    const replyWarm = await paced(warmup, (i) => reply(i));
    const replyRun = await paced(measured, (i) => reply(warmup + i));
    const replyEvents = Number((await db.pool.query(`SELECT count(*) FROM events WHERE type = 'TeamReplyAdded'`)).rows[0].count);
    const row = (label: string, r: Paced): string[] => [
      label,
      fmt(r.latencies.length),
      fmt(percentile(r.latencies, 50), 1),
      fmt(percentile(r.latencies, 99), 1),
      fmt(Math.max(...r.latencies), 1),
      fmt(percentile(r.lags, 99), 1),
      [...r.outcomes].map(([outcome, n]) => `${outcome}×${n}`).join(' '),
    ];
    console.log('');
    printTable(['at ' + RATE + ' req/s', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'send lag p99', 'answers'], [
      row('close webhook, warm-up', warm),
      row('GET /health (reference)', health),
      row('close webhook, measured', run),
      row('reply webhook, warm-up', replyWarm),
      row('reply webhook, measured', replyRun),
    ]);
    const p99 = percentile(run.latencies, 99);
    console.log(
      `\nCPU per measured close: API ${fmt(cpu.api, 2)} ms` +
        (cpu.worker === null ? '' : `, worker ${fmt(cpu.worker, 2)} ms`) +
        `, Postgres (its backends) ${fmt(cpu.postgres, 2)} ms, Redis ${fmt(cpu.redis, 2)} ms, this client ${fmt(cpu.bench, 2)} ms` +
        ` (${cpus().length} cores; at ${RATE} req/s the API alone needs ${fmt((cpu.api * RATE) / 10, 0)} % of one core;` +
        ` these processes kept the machine ${fmt((100 * measured * (cpu.api + (cpu.worker ?? 0) + cpu.bench + cpu.postgres + cpu.redis)) / (wallMs * cpus().length), 0)} % busy)`,
    );
    console.log(
      `the machine, every process on it counted: ${fmt(100 * machineBusy, 0)} % busy through the measured closes, ` +
        `${fmt(machineBusyMs / measured, 2)} ms of CPU per close`,
    );
    console.log(`IssueClosed events appended: ${fmt(closedEvents)} of ${fmt(warmup + measured)} deliveries`);
    console.log(`TeamReplyAdded events appended: ${fmt(replyEvents)} of ${fmt(warmup + measured)} deliveries`);
    console.log(`target: close-webhook p99 under ${TARGET_P99_MS} ms: ${p99 < TARGET_P99_MS ? 'yes' : 'NO'} (${fmt(p99, 1)} ms)`);
    const replyP99 = percentile(replyRun.latencies, 99);
    console.log(`target: reply-webhook p99 under ${TARGET_P99_MS} ms: ${replyP99 < TARGET_P99_MS ? 'yes' : 'NO'} (${fmt(replyP99, 1)} ms)`);
    console.log(`\ndone in ${fmt((performance.now() - begun) / 1000, 1)} s`);
  } finally {
    await cleanup();
  }
}

await main();
if (process.env.BENCH_RECONCILE !== '0') {
  console.log('\n--- reconcile ---');
  await reconcileCost();
}
// the in-process worker of the reconcile part may leave handles (queue connections) behind
process.exit(0);
