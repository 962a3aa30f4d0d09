/*
 * `npm run bench:api`: POST /tickets and GET /tickets/:id of the real API (built, in a child process) under
 * autocannon at 50 connections, against ceilings measured in the same run: a bare Fastify server
 * (bench/ceiling-server.ts, another child) doing one INSERT, or one SELECT by primary key, through a pg pool of
 * the API's size on the same database. Also the API's resident memory under that load. Prints figures;
 * asserts nothing (exit 0 unless something crashed).
 */
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test/support/ports.js';
import { ADMIN, adminEnv, adminToken, call, createRepo, newCustomer } from '../test/support/http.js';
import { fmt, freshDatabase, median, memoryMb, printTable, type BenchDatabase } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10); // per measured run
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2); // once per route, before the rounds
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3); // API and ceiling runs alternate; medians are reported
const CONNECTIONS = 50;
const POOL_MAX = 20; // createPool's default, which the API uses
const GET_TICKETS = 200; // tickets made before the rounds; GET /tickets/:id cycles over them
const CEILING_ROWS = 10_000; // rows of the ceiling's SELECT table
const REPO = 'bench';
// extra node flags for the API child when looking into it, e.g. BENCH_API_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof"
const API_NODE_ARGS = [...APP_NODE_FLAGS, ...(process.env.BENCH_API_NODE_ARGS ?? '').split(' ').filter(Boolean)];
const KINDS = ['post', 'insert', 'get', 'select'] as const; // the API's two routes and their ceilings
type Kind = (typeof KINDS)[number];

const root = fileURLToPath(new URL('../', import.meta.url));

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

function start(name: string, entry: string, env: Record<string, string>, port: number, nodeArgs: string[] = []): Child {
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: root,
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

async function healthy(child: Child, timeoutMs = 60_000): Promise<void> {
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


/** CPU time (user + system) a process has used so far, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
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
  /** The API's peak resident memory during this run, MB (sampled every 100 ms). */
  apiPeakRss: number;
}

// resident memory of the API: one sampler for the whole bench, its peak kept overall and per run
const rss = { peak: 0, runPeak: 0, timer: undefined as NodeJS.Timeout | undefined };
function sampleRss(pid: number): void {
  rss.timer = setInterval(() => {
    const mb = memoryMb(pid, 'VmRSS');
    if (mb === null) return;
    rss.peak = Math.max(rss.peak, mb);
    rss.runPeak = Math.max(rss.runPeak, mb);
  }, 100);
}

async function cannon(target: Child, request: CannonRequest, seconds: number): Promise<Run> {
  const pid = target.process.pid!;
  const cpuBefore = cpuMs(pid);
  rss.runPeak = 0;
  const result = await autocannon({
    url: target.url,
    connections: CONNECTIONS,
    duration: seconds,
    idReplacement: request.body?.includes('[<id>]') ?? false,
    requests: [request],
  });
  const cpu = cpuMs(pid) - cpuBefore;
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
    apiPeakRss: rss.runPeak,
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

async function main(): Promise<void> {
  const begun = performance.now();
  const db = await freshDatabase();
  let api: Child | null = null;
  let ceiling: Child | null = null;
  const cleanup = async () => {
    clearInterval(rss.timer);
    await Promise.all([stop(api), stop(ceiling)]);
    await db.drop();
  };
  process.once('SIGINT', () => {
    api?.process.kill('SIGKILL');
    ceiling?.process.kill('SIGKILL');
    void db.drop().finally(() => process.exit(130));
  });
  try {
    console.log(`bench database ${db.name}`);
    console.log(
      `  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`,
    );
    const ceilingIds = await prepareCeiling(db);

    const [apiPort, ceilingPort] = [await freePort(), await freePort()];
    api = start(
      'the API',
      'dist/apps/api/src/main.js',
      { DATABASE_URL: db.url, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '1000000', ...adminEnv },
      apiPort,
      API_NODE_ARGS,
    );
    ceiling = start('the ceiling server', 'dist/bench/ceiling-server.js', { DATABASE_URL: db.url, POOL_MAX: String(POOL_MAX) }, ceilingPort);
    await Promise.all([healthy(api), healthy(ceiling)]);
    const apiPid = api.process.pid!;
    const idleRss = memoryMb(apiPid, 'VmRSS') ?? 0;
    console.log(`  the API is up (pid ${apiPid}, ${fmt(idleRss, 1)} MB resident); the ceiling server is up (pid ${ceiling.process.pid})`);

    await createRepo(api.url, await adminToken(api.url), REPO);
    const customer = await newCustomer(api.url, 'bench');
    const auth = { authorization: `Bearer ${customer.token}` };
    const ticketIds: string[] = [];
    for (let batch = 0; batch < GET_TICKETS / 10; batch++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          call(api!.url, 'POST', '/tickets', {
            token: customer.token,
            body: { repo: REPO, title: `Export truncated ${batch * 10 + i}`, description: DESCRIPTION },
          }),
        ),
      );
      for (const reply of created) {
        if (reply.status !== 201) throw new Error(`POST /tickets answered ${reply.status}: ${reply.text}`);
        ticketIds.push(reply.body.id);
      }
    }
    const check = await call(api.url, 'GET', `/tickets/${ticketIds[0]}`, { token: customer.token });
    if (check.status !== 200) throw new Error(`GET /tickets/:id answered ${check.status}: ${check.text}`);
    const ceilingCheck = await call(ceiling.url, 'GET', `/select/${ceilingIds[0]}`);
    if (ceilingCheck.status !== 200) throw new Error(`GET /select/:id answered ${ceilingCheck.status}: ${ceilingCheck.text}`);
    console.log(
      `  repo "${REPO}" made by ${ADMIN.email}; customer ${customer.email}; ${GET_TICKETS} tickets to read; ` +
        `${fmt(CEILING_ROWS)} rows in ceiling_select; bodies: ticket ${Buffer.byteLength(TICKET_BODY.replace('[<id>]', 'x'.repeat(23)))} B ` +
        `(same bytes to /insert), GET /tickets/:id answer ${check.text.length} B, GET /select/:id answer ${ceilingCheck.text.length} B`,
    );

    // resident memory of the API, every 100 ms from here to the end of the load
    rss.peak = idleRss;
    sampleRss(apiPid);

    const json = { 'content-type': 'application/json' };
    const requests: Record<Kind, [Child, CannonRequest]> = {
      post: [api, { method: 'POST', path: '/tickets', headers: { ...json, ...auth }, body: TICKET_BODY }],
      insert: [ceiling, { method: 'POST', path: '/insert', headers: json, body: TICKET_BODY }],
      get: [api, cycling(ticketIds.map((id) => `/tickets/${id}`), auth)],
      select: [ceiling, cycling(ceilingIds.map((id) => `/select/${id}`))],
    };
    const measure = (kind: Kind, seconds = SECONDS) => cannon(requests[kind][0], requests[kind][1], seconds);

    console.log(`\nwarm-up: ${WARMUP_SECONDS} s on each route (not counted)`);
    for (const kind of KINDS) {
      const run = await measure(kind, WARMUP_SECONDS);
      if (run.non2xx || run.errors) console.log(`  warm-up of ${kind}: ${run.non2xx} non-2xx (${run.codes}), ${run.errors} errors`);
    }

    console.log(`\n${ROUNDS} rounds of ${SECONDS} s per run, ${CONNECTIONS} connections; API and ceiling alternate, the order flips each round`);
    const runs: Record<Kind, Run[]> = { post: [], insert: [], get: [], select: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      const pairs: Array<[Kind, Kind]> = [
        ['post', 'insert'],
        ['get', 'select'],
      ];
      for (const [figure, ceilingOf] of pairs) {
        for (const kind of round % 2 ? [figure, ceilingOf] : [ceilingOf, figure]) runs[kind].push(await measure(kind));
      }
      const at = (kind: Kind) => runs[kind][round - 1];
      const show = (kind: Kind) =>
        `${fmt(at(kind).rps)}/s (p50 ${at(kind).p50} p99 ${at(kind).p99} ms` +
        `${at(kind).non2xx || at(kind).errors ? `, ${at(kind).non2xx} non-2xx ${at(kind).codes}, ${at(kind).errors} errors` : ''}` +
        `${kind === 'post' || kind === 'get' ? `, API RSS peak ${fmt(at(kind).apiPeakRss)} MB` : ''})`;
      console.log(`  round ${round}/${ROUNDS}: POST /tickets ${show('post')} vs INSERT ${show('insert')} (${fmt(at('post').rps / at('insert').rps, 2)}×)`);
      console.log(`  ${' '.repeat(`round ${round}/${ROUNDS}:`.length)} GET /tickets/:id ${show('get')} vs SELECT ${show('select')} (${fmt(at('get').rps / at('select').rps, 2)}×)`);
    }
    clearInterval(rss.timer);
    const peakRss = rss.peak;
    const hwm = memoryMb(apiPid, 'VmHWM');
    const ticketCount = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tickets')).rows[0].n;
    const eventCount = (await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0].n;

    const m = (kind: Kind, field: 'rps' | 'p50' | 'p99' | 'cpuPerRequest') => median(runs[kind].map((r) => r[field]));
    // a ratio is the median of the per-round ratios: each round's pair ran back to back, under the same load
    const paired = (a: Kind, b: Kind) => median(runs[a].map((r, i) => r.rps / runs[b][i].rps));
    const sum = (kind: Kind, field: 'non2xx' | 'errors') => runs[kind].reduce((n, r) => n + r[field], 0);
    const ratio = (r: number) => `${fmt(r, 2)}×`;
    const yes = (ok: boolean) => (ok ? 'yes' : 'NO');
    const ms = (n: number) => fmt(n, 0);
    const rPost = paired('post', 'insert');
    const rGet = paired('get', 'select');
    const apiFailures = sum('post', 'non2xx') + sum('post', 'errors') + sum('get', 'non2xx') + sum('get', 'errors');
    const ceilingFailures = sum('insert', 'non2xx') + sum('insert', 'errors') + sum('select', 'non2xx') + sum('select', 'errors');

    console.log(`\nresults (medians over ${ROUNDS} rounds; informational: nothing is asserted)\n`);
    printTable(
      ['figure', 'value', 'ceiling', 'ratio', 'target', 'meets'],
      [
        ['POST /tickets, requests/s', fmt(m('post', 'rps')), fmt(m('insert', 'rps')), ratio(rPost), '>= 0.50×', yes(rPost >= 0.5)],
        ['  p50 latency, ms', ms(m('post', 'p50')), ms(m('insert', 'p50')), ratio(m('post', 'p50') / m('insert', 'p50')), '-', '-'],
        ['  p99 latency, ms', ms(m('post', 'p99')), ms(m('insert', 'p99')), ratio(m('post', 'p99') / m('insert', 'p99')), '-', '-'],
        ['  server CPU per request, ms', fmt(m('post', 'cpuPerRequest'), 2), fmt(m('insert', 'cpuPerRequest'), 2), ratio(m('post', 'cpuPerRequest') / m('insert', 'cpuPerRequest')), '-', '-'],
        ['GET /tickets/:id, requests/s', fmt(m('get', 'rps')), fmt(m('select', 'rps')), ratio(rGet), '>= 0.60×', yes(rGet >= 0.6)],
        ['  p50 latency, ms', ms(m('get', 'p50')), ms(m('select', 'p50')), ratio(m('get', 'p50') / m('select', 'p50')), '-', '-'],
        ['  p99 latency, ms', ms(m('get', 'p99')), ms(m('select', 'p99')), ratio(m('get', 'p99') / m('select', 'p99')), '-', '-'],
        ['  server CPU per request, ms', fmt(m('get', 'cpuPerRequest'), 2), fmt(m('select', 'cpuPerRequest'), 2), ratio(m('get', 'cpuPerRequest') / m('select', 'cpuPerRequest')), '-', '-'],
        ['non-2xx answers + errors under load', String(apiFailures), String(ceilingFailures), '-', '0', yes(apiFailures === 0)],
        ['API peak resident memory, MB', fmt(peakRss, 1), '-', '-', '< 250 MB', yes(peakRss < 250)],
      ],
    );
    const codes = [...runs.post, ...runs.get].map((r) => r.codes).filter(Boolean);
    if (codes.length) console.log(`\nnon-2xx status codes from the API: ${codes.join(' ')}`);
    console.log(
      [
        '',
        'value and ceiling are medians over the rounds; the requests/s ratio is the median of the per-round ratios.',
        `ceilings, measured in this run alternating with their figure: a bare Fastify server (bench/ceiling-server.ts), pg pool of ${POOL_MAX}`,
        `  like the API's, same database, same autocannon settings (${CONNECTIONS} connections, ${SECONDS} s), same request body:`,
        '  POST /insert: INSERT INTO ceiling_insert (id bigserial, data jsonb) the body, autocommit;',
        `  GET /select/:id: SELECT * by uuid primary key from ceiling_select (${fmt(CEILING_ROWS)} rows shaped like tickets), cycling over ${GET_TICKETS} ids.`,
        `the API: dist/apps/api/src/main.js, LOG_LEVEL=warn; resident memory sampled every 100 ms under load: idle ${fmt(idleRss, 1)} MB, ` +
          `peak ${fmt(peakRss, 1)} MB, kernel high-water mark (VmHWM) ${hwm === null ? 'n/a' : `${fmt(hwm, 1)} MB`}; ` +
          `${api.lines()} line(s) of log output; ${fmt(ticketCount)} tickets, ${fmt(eventCount)} events in the end.`,
        `server CPU per request: user+system time of the server process over completed requests; autocannon and Postgres share the same ${cpus().length} cores.`,
        `load average at the end: ${loadavg().map((l) => fmt(l, 2)).join(' ')} (1/5/15 min); other processes' work skews the figures.`,
      ].join('\n'),
    );

    const [apiExit, ceilingExit] = await Promise.all([stop(api), stop(ceiling)]);
    console.log(`\nexit codes after SIGTERM: API ${apiExit}, ceiling server ${ceilingExit}`);
    if ((apiExit !== 0 || API_NODE_ARGS.length > 0 || api.lines() > 0) && api.output()) console.log(`API output (tail):\n${api.output()}`);
    console.log(`total ${fmt((performance.now() - begun) / 1000, 1)} s`);
  } finally {
    await cleanup();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
