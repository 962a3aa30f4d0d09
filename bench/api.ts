/*
 * `npm run bench:api`: POST /tickets and GET /tickets/:id of the service, built and run as `npm start` runs it
 * (the API and the worker, each its own child process, LOG_LEVEL=warn, FORGEJO_URL unset), against two
 * yardsticks in the same run, every route under autocannon at 50 connections, the runs interleaved round by round:
 *   the CRUD peer (bench/peers/crud): NestJS on the same stack, guard, pipes and logger, one SELECT of the repo and
 *     one INSERT per ticket, one SELECT per read;
 *   the bare ceiling (bench/ceiling-server.ts): Fastify alone, one INSERT, or one SELECT by primary key.
 * Prints each figure per round and in a final table with every ratio against its target, and the peak resident
 * memory of the API and of the worker. Asserts nothing (exit 0 unless something crashed).
 */
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';
import { ADMIN, adminEnv, adminToken, call, createRepo, newCustomer, type Reply } from '../test/support/http.js';
import { cpuMs, cpuMsOf, fmt, freshDatabase, median, memoryMb, printTable, snapshotOfBuild, type BenchDatabase } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10); // per measured run
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2); // once per route, before the rounds
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3); // the three servers' runs interleave, in a new order each round
const CONNECTIONS = 50;
const POOL_MAX = 20; // createPool's default, which the API uses
const GET_TICKETS = 200; // tickets made before the rounds; GET /tickets/:id cycles over them
const CEILING_ROWS = 10_000; // rows of the ceiling's SELECT table
const REPO = 'bench';
// a second build of the service (a directory holding dist/, as snapshotOfBuild makes) measured beside this one in
// the same run, its API on a database of its own (API processes sharing a database share the projection work too;
// no worker: nothing here needs one, and Postgres connections are few), e.g. the build before a change:
// BENCH_BASELINE_ROOT=/tmp/before
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT;
// extra node flags for the API child when looking into it, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
const API_NODE_ARGS = [...APP_NODE_FLAGS, ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)];
// each route of the service, of the CRUD peer and of the bare ceiling
const ALL_KINDS = ['post', 'basePost', 'peerPost', 'insert', 'get', 'baseGet', 'peerGet', 'select'] as const;
type Kind = (typeof ALL_KINDS)[number];
const KINDS = ALL_KINDS.filter((kind) => BASELINE_ROOT || !kind.startsWith('base'));
const LABEL: Record<Kind, string> = {
  basePost: 'baseline POST /tickets',
  baseGet: 'baseline GET /tickets/:id',
  post: 'service POST /tickets',
  peerPost: 'CRUD peer POST /tickets',
  insert: 'bare POST /insert',
  get: 'service GET /tickets/:id',
  peerGet: 'CRUD peer GET /tickets/:id',
  select: 'bare GET /select/:id',
};
const TARGET = { postVsPeer: 0.7, getVsPeer: 0.9, postVsBare: 0.3 };
const CAP_MB = { api: 250, worker: 200 };

let root = fileURLToPath(new URL('../', import.meta.url)); // the build snapshot's, once made

// autocannon is CommonJS without type declarations: required, with the little of its API used here typed below
interface CannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (request: CannonRequest) => CannonRequest;
}
interface CannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number; totalCount: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}
type Cannon = (options: {
  url: string;
  connections: number;
  duration: number;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  idReplacement?: boolean;
  requests?: CannonRequest[];
}) => PromiseLike<CannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Cannon;

// The ticket body; autocannon puts a fixed-length id where [<id>] is, so every title differs and every body has
// one size. The ceiling's INSERT gets exactly these bytes.
const DESCRIPTION = 'The export to CSV stops at 1,000 rows and the last page is empty; steps to reproduce attached. '.repeat(2);
const TICKET_BODY = JSON.stringify({ repo: REPO, title: 'Export truncated [<id>]', description: DESCRIPTION });

interface Child {
  name: string;
  process: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  output: () => string;
  lines: () => number;
}

function start(name: string, entry: string, env: Record<string, string>, port: number, nodeArgs: string[] = [], cwd = root): Child {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  let lines = 0;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString();
    lines += text.split('\n').length - 1;
    tail = (tail + text).slice(-16_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  return { name, process: child, url: `http://127.0.0.1:${port}`, exited, output: () => tail, lines: () => lines };
}

async function healthy(child: Child, timeoutMs = 180_000): Promise<void> {
  let gone = false;
  void child.exited.then(() => (gone = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${child.name} exited before it was up:\n${child.output()}`);
    const status = await fetch(`${child.url}/health`).then((r) => r.status, () => 0);
    if (status === 200) return;
    await sleep(100);
  }
  throw new Error(`${child.name} did not answer /health 200 within ${timeoutMs} ms:\n${child.output()}`);
}

async function stop(child: Child | null): Promise<number | null> {
  if (!child) return null;
  if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  const code = await Promise.race([child.exited, sleep(15_000).then(() => 'timeout' as const)]);
  if (code !== 'timeout') return code;
  child.process.kill('SIGKILL');
  return child.exited;
}


interface Run {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  codes: string;
  /** CPU ms the server process spent per completed request. */
  cpuPerRequest: number;
  /** CPU ms all Postgres processes spent per completed request. */
  postgresCpuPerRequest: number;
  /** CPU ms the service's worker spent per completed request (0 for the others, which have none). */
  workerCpuPerRequest: number;
  /** Peak resident memory of the service's API and worker during this run, MB (sampled every 100 ms). */
  apiPeakRss: number;
  workerPeakRss: number;
}

// resident memory of the API and the worker: one sampler for the whole bench, peaks kept overall and per run
const rss = { api: 0, worker: 0, runApi: 0, runWorker: 0, timer: undefined as NodeJS.Timeout | undefined };
function sampleRss(apiPid: number, workerPid: number): void {
  rss.timer = setInterval(() => {
    const api = memoryMb(apiPid, 'VmRSS') ?? 0;
    const worker = memoryMb(workerPid, 'VmRSS') ?? 0;
    rss.api = Math.max(rss.api, api);
    rss.runApi = Math.max(rss.runApi, api);
    rss.worker = Math.max(rss.worker, worker);
    rss.runWorker = Math.max(rss.runWorker, worker);
  }, 100);
}

async function cannon(target: Child, request: CannonRequest, seconds: number, worker?: Child): Promise<Run> {
  const pid = target.process.pid!;
  const cpuBefore = cpuMs(pid);
  const postgresBefore = cpuMsOf('postgres');
  const workerBefore = worker ? cpuMs(worker.process.pid!) : 0;
  rss.runApi = 0;
  rss.runWorker = 0;
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    idReplacement: request.body?.includes('[<id>]') ?? false,
    requests: [request],
  });
  const cpu = cpuMs(pid) - cpuBefore;
  const postgresCpu = cpuMsOf('postgres') - postgresBefore;
  const workerCpu = worker ? cpuMs(worker.process.pid!) - workerBefore : 0;
  const codes = Object.entries(result.statusCodeStats)
    .filter(([code]) => !code.startsWith('2'))
    .map(([code, { count }]) => `${code}×${count}`)
    .join(' ');
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    codes,
    cpuPerRequest: cpu / Math.max(1, result.latency.totalCount),
    postgresCpuPerRequest: postgresCpu / Math.max(1, result.latency.totalCount),
    workerCpuPerRequest: workerCpu / Math.max(1, result.latency.totalCount),
    apiPeakRss: rss.runApi,
    workerPeakRss: rss.runWorker,
  };
}

/** GETs cycling over `paths`. */
function cycling(paths: string[], headers: Record<string, string> = {}): CannonRequest {
  let next = 0;
  return { method: 'GET', headers, setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) };
}

async function prepareCeiling(db: BenchDatabase): Promise<string[]> {
  await db.pool.query('CREATE TABLE ceiling_insert (id bigserial PRIMARY KEY, data jsonb NOT NULL)');
  // shaped like the tickets read model: a uuid key and a row of about the same width
  await db.pool.query(`CREATE TABLE ceiling_select (
    id uuid PRIMARY KEY, owner_id uuid NOT NULL, repo text NOT NULL, title text NOT NULL, description text NOT NULL,
    status text NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz NOT NULL)`);
  await db.pool.query(
    `INSERT INTO ceiling_select
     SELECT gen_random_uuid(), gen_random_uuid(), $1, 'Export truncated ' || n, $2, 'open', now(), now()
     FROM generate_series(1, $3::int) AS n`,
    [REPO, DESCRIPTION, CEILING_ROWS],
  );
  await db.pool.query('VACUUM (ANALYZE) ceiling_select');
  const { rows } = await db.pool.query<{ id: string }>('SELECT id FROM ceiling_select ORDER BY random() LIMIT $1', [GET_TICKETS]);
  return rows.map((r) => r.id);
}

/** `count` tickets filed through `url`'s POST /tickets, ten at a time; their ids. */
async function fileTickets(url: string, token: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let batch = 0; batch < count / 10; batch++) {
    // a loaded machine can make a server answer 503 for a moment (no pooled connection in time): that one is tried again
    const file = async (i: number, tries = 5): Promise<Reply> => {
      const reply = await call(url, 'POST', '/tickets', { token, body: { repo: REPO, title: `Export truncated ${batch * 10 + i}`, description: DESCRIPTION } });
      return reply.status === 503 && tries > 1 ? (await sleep(500), file(i, tries - 1)) : reply;
    };
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => file(i)));
    for (const reply of created) {
      if (reply.status !== 201) throw new Error(`POST ${url}/tickets answered ${reply.status}: ${reply.text}`);
      ids.push(reply.body.id);
    }
  }
  return ids;
}

/** Round `round`'s order of a group of runs: rotated by one each round, so none always runs first or last. */
function rotated<T>(items: T[], round: number): T[] {
  const by = round % items.length;
  return [...items.slice(by), ...items.slice(0, by)];
}

async function main(): Promise<void> {
  const begun = performance.now();
  const build = await snapshotOfBuild();
  root = build.root;
  const db = await freshDatabase();
  const baselineDb = BASELINE_ROOT ? await freshDatabase() : null;
  const children: Child[] = [];
  const cleanup = async () => {
    clearInterval(rss.timer);
    await Promise.all(children.map((child) => stop(child)));
    await db.drop();
    await baselineDb?.drop();
    await build.remove();
  };
  process.once('SIGINT', () => {
    for (const child of children) child.process.kill('SIGKILL');
    void Promise.all([db.drop(), baselineDb?.drop()]).finally(() => build.remove().finally(() => process.exit(130)));
  });
  try {
    console.log(`bench database ${db.name}; build snapshot ${build.root}`);
    console.log(
      `  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`,
    );
    const ceilingIds = await prepareCeiling(db);

    const [apiPort, workerPort, peerPort, ceilingPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
    const serviceEnv = { DATABASE_URL: db.url, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '1000000', ...adminEnv };
    const api = start('the API', 'dist/apps/api/src/main.js', serviceEnv, apiPort, API_NODE_ARGS);
    const worker = start('the worker', 'dist/apps/worker/src/main.js', serviceEnv, workerPort, APP_NODE_FLAGS);
    const peer = start('the CRUD peer', 'dist/bench/peers/crud/main.js', { DATABASE_URL: db.url, LOG_LEVEL: 'warn' }, peerPort, APP_NODE_FLAGS);
    const ceiling = start('the ceiling server', 'dist/bench/ceiling-server.js', { DATABASE_URL: db.url, POOL_MAX: String(POOL_MAX) }, ceilingPort);
    children.push(api, worker, peer, ceiling);
    const baselineEnv = { ...serviceEnv, DATABASE_URL: baselineDb?.url ?? '' };
    const baseline = BASELINE_ROOT ? start('the baseline API', 'dist/apps/api/src/main.js', baselineEnv, await freePort(), API_NODE_ARGS, BASELINE_ROOT) : null;
    if (baseline) children.push(baseline);
    await Promise.all([healthy(api), healthy(peer), healthy(ceiling), ...(baseline ? [healthy(baseline)] : [])]);
    const [apiPid, workerPid] = [api.process.pid!, worker.process.pid!];
    const idle = { api: memoryMb(apiPid, 'VmRSS') ?? 0, worker: memoryMb(workerPid, 'VmRSS') ?? 0 };
    console.log(
      `  up: the API (pid ${apiPid}, ${fmt(idle.api, 1)} MB resident), the worker (pid ${workerPid}, ${fmt(idle.worker, 1)} MB), ` +
        `the CRUD peer (pid ${peer.process.pid}), the ceiling server (pid ${ceiling.process.pid})`,
    );

    await createRepo(api.url, await adminToken(api.url), REPO);
    await db.pool.query(`INSERT INTO crud_repos (slug, owner, name) VALUES ($1, 'acme', 'support-desk')`, [REPO]);
    // one customer for both: the peer verifies the service's tokens, in the same tables, with the same TokenService
    const customer = await newCustomer(api.url, 'bench');
    const auth = { authorization: `Bearer ${customer.token}` };
    const ticketIds = await fileTickets(api.url, customer.token, GET_TICKETS);
    const peerTicketIds = await fileTickets(peer.url, customer.token, GET_TICKETS);
    let baselineAuth = auth;
    let baselineTicketIds: string[] = [];
    if (baseline) {
      await createRepo(baseline.url, await adminToken(baseline.url), REPO);
      const other = await newCustomer(baseline.url, 'bench');
      baselineAuth = { authorization: `Bearer ${other.token}` };
      baselineTicketIds = await fileTickets(baseline.url, other.token, GET_TICKETS);
    }
    const answers = await Promise.all([
      call(api.url, 'GET', `/tickets/${ticketIds[0]}`, { token: customer.token }),
      call(peer.url, 'GET', `/tickets/${peerTicketIds[0]}`, { token: customer.token }),
      call(ceiling.url, 'GET', `/select/${ceilingIds[0]}`),
    ]);
    for (const answer of answers) if (answer.status !== 200) throw new Error(`a GET answered ${answer.status}: ${answer.text}`);
    console.log(
      `  repo "${REPO}" made by ${ADMIN.email}; customer ${customer.email}; ${GET_TICKETS} tickets each in the service and the peer, ` +
        `${fmt(CEILING_ROWS)} rows in ceiling_select; request body ${Buffer.byteLength(TICKET_BODY.replace('[<id>]', 'x'.repeat(23)))} B (the same to all three); ` +
        `GET answers: service ${answers[0].text.length} B, peer ${answers[1].text.length} B, bare ${answers[2].text.length} B`,
    );

    rss.api = idle.api;
    rss.worker = idle.worker;
    sampleRss(apiPid, workerPid);

    const json = { 'content-type': 'application/json' };
    const post: CannonRequest = { method: 'POST', path: '/tickets', headers: { ...json, ...auth }, body: TICKET_BODY };
    const requests: Partial<Record<Kind, [Child, CannonRequest]>> = {
      ...(baseline && {
        basePost: [baseline, { ...post, headers: { ...json, ...baselineAuth } }],
        baseGet: [baseline, cycling(baselineTicketIds.map((id) => `/tickets/${id}`), baselineAuth)],
      }),
      post: [api, post],
      peerPost: [peer, post],
      insert: [ceiling, { method: 'POST', path: '/insert', headers: json, body: TICKET_BODY }],
      get: [api, cycling(ticketIds.map((id) => `/tickets/${id}`), auth)],
      peerGet: [peer, cycling(peerTicketIds.map((id) => `/tickets/${id}`), auth)],
      select: [ceiling, cycling(ceilingIds.map((id) => `/select/${id}`))],
    };
    const measure = (kind: Kind, seconds = SECONDS) => cannon(requests[kind]![0], requests[kind]![1], seconds, kind === 'post' || kind === 'get' ? worker : undefined);

    console.log(`\nwarm-up: ${WARMUP_SECONDS} s on each route (not counted)`);
    for (const kind of KINDS) {
      const run = await measure(kind, WARMUP_SECONDS);
      if (run.non2xx || run.errors) console.log(`  warm-up of ${kind}: ${run.non2xx} non-2xx (${run.codes}), ${run.errors} errors`);
    }

    console.log(`\n${ROUNDS} rounds of ${SECONDS} s per run, ${CONNECTIONS} connections; the three servers take turns, in a rotating order`);
    const runs = Object.fromEntries(ALL_KINDS.map((kind) => [kind, [] as Run[]])) as Record<Kind, Run[]>;
    const ratioIn = (a: Kind, b: Kind, round: number) => runs[a][round].rps / runs[b][round].rps;
    const x = (r: number) => `${fmt(r, 2)}×`;
    for (let round = 0; round < ROUNDS; round++) {
      for (const group of [['post', 'basePost', 'peerPost', 'insert'], ['get', 'baseGet', 'peerGet', 'select']] as Kind[][]) {
        for (const kind of rotated(group.filter((kind) => KINDS.includes(kind)), round)) runs[kind].push(await measure(kind));
      }
      const show = (kind: Kind) => {
        const run = runs[kind][round];
        const failures = run.non2xx || run.errors ? `, ${run.non2xx} non-2xx ${run.codes}, ${run.errors} errors` : '';
        const memory = kind === 'post' || kind === 'get' ? `, RSS peak API ${fmt(run.apiPeakRss)} MB, worker ${fmt(run.workerPeakRss)} MB` : '';
        return `    ${LABEL[kind].padEnd(27)} ${fmt(run.rps).padStart(6)}/s  p50 ${String(run.p50).padStart(3)} ms  p99 ${String(run.p99).padStart(4)} ms${failures}${memory}`;
      };
      console.log(`  round ${round + 1}/${ROUNDS}`);
      for (const kind of KINDS) console.log(show(kind));
      console.log(
        `    ratios: POST service/peer ${x(ratioIn('post', 'peerPost', round))} (>= ${TARGET.postVsPeer}), ` +
          `service/bare ${x(ratioIn('post', 'insert', round))} (>= ${TARGET.postVsBare}); ` +
          `GET service/peer ${x(ratioIn('get', 'peerGet', round))} (>= ${TARGET.getVsPeer} every round), service/bare ${x(ratioIn('get', 'select', round))}` +
          (baseline ? `; baseline/peer POST ${x(ratioIn('basePost', 'peerPost', round))}, GET ${x(ratioIn('baseGet', 'peerGet', round))}` : ''),
      );
    }
    clearInterval(rss.timer);
    const hwm = { api: memoryMb(apiPid, 'VmHWM'), worker: memoryMb(workerPid, 'VmHWM') };
    const count = async (table: string) => (await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
    const [ticketCount, eventCount, peerCount] = [await count('tickets'), await count('events'), await count('crud_tickets')];

    type Field = 'rps' | 'p50' | 'p99' | 'cpuPerRequest' | 'postgresCpuPerRequest' | 'workerCpuPerRequest';
    const m = (kind: Kind, field: Field) => median(runs[kind].map((r) => r[field]));
    // a ratio is the median of the per-round ratios: each round's runs ran back to back, under about the same load
    const rounds = Array.from({ length: ROUNDS }, (_, i) => i);
    const paired = (a: Kind, b: Kind) => median(rounds.map((i) => ratioIn(a, b, i)));
    const worst = (a: Kind, b: Kind) => Math.min(...rounds.map((i) => ratioIn(a, b, i)));
    const failures = (kinds: Kind[]) => kinds.reduce((n, kind) => n + runs[kind].reduce((k, r) => k + r.non2xx + r.errors, 0), 0);
    const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
    const ms = (n: number) => fmt(n, 0);
    const rPostPeer = paired('post', 'peerPost');
    const rPostBare = paired('post', 'insert');
    const rGetPeer = paired('get', 'peerGet');
    const rGetPeerWorst = worst('get', 'peerGet');
    const serviceFailures = failures(['post', 'get']);

    console.log(`\nresults (medians over ${ROUNDS} rounds; informational: nothing is asserted)\n`);
    const row = (figure: string, field: Field, kinds: [Kind, Kind, Kind], show = (n: number) => fmt(n)) => [
      figure,
      show(m(kinds[0], field)),
      show(m(kinds[1], field)),
      show(m(kinds[2], field)),
    ];
    printTable(
      ['figure', 'service', 'CRUD peer', 'bare', 'ratio', 'target', 'meets'],
      [
        [...row('POST /tickets, requests/s', 'rps', ['post', 'peerPost', 'insert']), `${x(rPostPeer)} peer`, `>= ${TARGET.postVsPeer}×`, yes(rPostPeer >= TARGET.postVsPeer)],
        ['', '', '', '', `${x(rPostBare)} bare`, `>= ${TARGET.postVsBare}×`, yes(rPostBare >= TARGET.postVsBare)],
        [...row('  p50 latency, ms', 'p50', ['post', 'peerPost', 'insert'], ms), '-', '-', '-'],
        [...row('  p99 latency, ms', 'p99', ['post', 'peerPost', 'insert'], ms), '-', '-', '-'],
        [...row('  server CPU per request, ms', 'cpuPerRequest', ['post', 'peerPost', 'insert'], (n) => fmt(n, 2)), '-', '-', '-'],
        [...row('  worker CPU per request, ms', 'workerCpuPerRequest', ['post', 'peerPost', 'insert'], (n) => fmt(n, 2)), '-', '-', '-'],
        [...row('  Postgres CPU per request, ms', 'postgresCpuPerRequest', ['post', 'peerPost', 'insert'], (n) => fmt(n, 2)), '-', '-', '-'],
        [...row('GET /tickets/:id, requests/s', 'rps', ['get', 'peerGet', 'select']), `${x(rGetPeer)} peer`, `>= ${TARGET.getVsPeer}×`, yes(rGetPeer >= TARGET.getVsPeer)],
        ['  worst round', '', '', '', `${x(rGetPeerWorst)} peer`, `>= ${TARGET.getVsPeer}×`, yes(rGetPeerWorst >= TARGET.getVsPeer)],
        ['', '', '', '', `${x(paired('get', 'select'))} bare`, '-', '-'],
        [...row('  p50 latency, ms', 'p50', ['get', 'peerGet', 'select'], ms), '-', '-', '-'],
        [...row('  p99 latency, ms', 'p99', ['get', 'peerGet', 'select'], ms), '-', '-', '-'],
        [...row('  server CPU per request, ms', 'cpuPerRequest', ['get', 'peerGet', 'select'], (n) => fmt(n, 2)), '-', '-', '-'],
        [...row('  worker CPU per request, ms', 'workerCpuPerRequest', ['get', 'peerGet', 'select'], (n) => fmt(n, 2)), '-', '-', '-'],
        [...row('  Postgres CPU per request, ms', 'postgresCpuPerRequest', ['get', 'peerGet', 'select'], (n) => fmt(n, 2)), '-', '-', '-'],
        ['non-2xx answers + errors under load', String(serviceFailures), String(failures(['peerPost', 'peerGet'])), String(failures(['insert', 'select'])), '-', '0', yes(serviceFailures === 0)],
        ['API peak resident memory, MB', fmt(rss.api, 1), '-', '-', '-', `< ${CAP_MB.api} MB`, yes(rss.api < CAP_MB.api)],
        ['worker peak resident memory, MB', fmt(rss.worker, 1), '-', '-', '-', `< ${CAP_MB.worker} MB`, yes(rss.worker < CAP_MB.worker)],
      ],
    );
    if (baseline) {
      console.log(`\nthe baseline build (${BASELINE_ROOT}), measured in the same rounds:`);
      printTable(
        ['figure', 'baseline', 'this build', 'peer', 'baseline/peer', 'this/peer', 'this/baseline'],
        (['post', 'get'] as const).map((kind) => {
          const [base, peerKind] = kind === 'post' ? (['basePost', 'peerPost'] as const) : (['baseGet', 'peerGet'] as const);
          return [
            `${kind.toUpperCase()} requests/s (p99 ms)`,
            `${fmt(m(base, 'rps'))} (${ms(m(base, 'p99'))})`,
            `${fmt(m(kind, 'rps'))} (${ms(m(kind, 'p99'))})`,
            `${fmt(m(peerKind, 'rps'))} (${ms(m(peerKind, 'p99'))})`,
            x(paired(base, peerKind)),
            x(paired(kind, peerKind)),
            x(paired(kind, base)),
          ];
        }),
      );
    }
    console.log(`\nper round, requests/s ratios (service/peer POST, service/bare POST, service/peer GET):`);
    for (const i of rounds) console.log(`  round ${i + 1}: ${x(ratioIn('post', 'peerPost', i))}  ${x(ratioIn('post', 'insert', i))}  ${x(ratioIn('get', 'peerGet', i))}`);
    const codes = [...runs.post, ...runs.get].map((r) => r.codes).filter(Boolean);
    if (codes.length) console.log(`\nnon-2xx status codes from the service: ${codes.join(' ')}`);
    console.log(
      [
        '',
        'values are medians over the rounds; a requests/s ratio is the median of the per-round ratios (the worst round for GET as well).',
        `the service: dist/apps/api/src/main.js and dist/apps/worker/src/main.js (as npm start runs them), LOG_LEVEL=warn, FORGEJO_URL unset.`,
        `the CRUD peer: dist/bench/peers/crud/main.js, NestJS + Fastify adapter, ValidationPipe and NUL pipe as the service's, the service's`,
        `  TokenService (sha256 + cache) in a global guard, nestjs-pino (pino-http) at warn; POST: SELECT repo by slug + INSERT ... RETURNING; GET: one SELECT by id and owner (comments in a subquery).`,
        `the bare ceiling: bench/ceiling-server.ts, Fastify alone, POST /insert one INSERT of the body as jsonb, GET /select/:id one SELECT by uuid key.`,
        `all three: pg pool of ${POOL_MAX}, the same database, the same autocannon settings (${CONNECTIONS} connections, ${SECONDS} s), the same request body.`,
        `resident memory sampled every 100 ms under load: API idle ${fmt(idle.api, 1)} MB, peak ${fmt(rss.api, 1)} MB, VmHWM ${hwm.api === null ? 'n/a' : fmt(hwm.api, 1)} MB; ` +
          `worker idle ${fmt(idle.worker, 1)} MB, peak ${fmt(rss.worker, 1)} MB, VmHWM ${hwm.worker === null ? 'n/a' : fmt(hwm.worker, 1)} MB.`,
        `${api.lines()} line(s) of API log output; in the end ${fmt(ticketCount)} tickets and ${fmt(eventCount)} events in the service, ${fmt(peerCount)} rows in crud_tickets.`,
        `server CPU per request: user+system time of the server process over completed requests (the worker's beside, for the service); ` +
          `Postgres CPU: of every postgres process on the machine; autocannon and Postgres share the same ${cpus().length} cores.`,
        `load average at the end: ${loadavg().map((l) => fmt(l, 2)).join(' ')} (1/5/15 min); other processes' work skews the figures, less so their ratios.`,
      ].join('\n'),
    );

    const exits = await Promise.all(children.map((child) => stop(child)));
    console.log(`\nexit codes after SIGTERM: ${children.map((child, i) => `${child.name} ${exits[i]}`).join(', ')}`);
    if ((exits[0] !== 0 || API_NODE_ARGS.length > APP_NODE_FLAGS.length || api.lines() > 0) && api.output()) console.log(`API output (tail):\n${api.output()}`);
    console.log(`total ${fmt((performance.now() - begun) / 1000, 1)} s`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
