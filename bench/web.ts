/*
 * `npm run bench:web`: the built web app's JavaScript and CSS, gzipped, against the 150 KB target; then the real
 * API (built, in a child process) with 1,000 tickets of one customer, and in headless Chromium the time from
 * navigating to /app/tickets (signed in by the session cookie) until the list's first ticket is visible: median
 * and p95 over the navigations, with a cold cache (a new browser context each time) and a warm one (the same
 * page again). Prints figures; asserts nothing (exit 0 unless something crashed).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { BrowserContext, Page } from 'playwright-core';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { DESKTOP, launchBrowser } from '../test/support/browser.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../test/support/http.js';
import { freePort } from '../test/support/ports.js';
import { fmt, freshDatabase, inPool, median, printTable } from './support.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 1000);
const NAVIGATIONS = Number(process.env.BENCH_NAVIGATIONS ?? 20); // per cache state
const SEED_CONCURRENCY = 5;
const TARGET_KB = 150;
const REPO = 'bench';

const root = fileURLToPath(new URL('../', import.meta.url));
const dist = join(root, 'apps/web/dist');

/** Nearest-rank percentile. */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

/** Every built file under assets/, raw and gzipped (zlib's default level, what a server's compression uses), and whether index.html loads it up front. */
function assetSizes(): { rows: string[][]; js: number; css: number; initial: number } {
  const index = readFileSync(join(dist, 'index.html'), 'utf8');
  const rows: string[][] = [];
  let js = 0;
  let css = 0;
  let initial = 0;
  for (const name of readdirSync(join(dist, 'assets')).sort()) {
    if (!/\.(js|css)$/.test(name)) continue;
    const raw = readFileSync(join(dist, 'assets', name));
    const gz = gzipSync(raw).length;
    const upFront = index.includes(`/assets/${name}`);
    if (name.endsWith('.js')) js += gz;
    else css += gz;
    if (upFront) initial += gz;
    rows.push([name, kb(raw.length), kb(gz), upFront ? 'yes' : 'lazy']);
  }
  return { rows, js, css, initial };
}

interface Api {
  process: ChildProcess;
  url: string;
  output: () => string;
}

function startApi(env: Record<string, string>, port: number): Api {
  const child = spawn(process.execPath, [...APP_NODE_FLAGS, 'dist/apps/api/src/main.js'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { process: child, url: `http://127.0.0.1:${port}`, output: () => tail };
}

async function healthy(api: Api, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (api.process.exitCode !== null) throw new Error(`the API exited before it was up:\n${api.output()}`);
    if ((await fetch(`${api.url}/health`).then((r) => r.status, () => 0)) === 200) return;
    await sleep(100);
  }
  throw new Error(`the API did not answer /health 200 within ${timeoutMs} ms:\n${api.output()}`);
}

async function stopApi(api: Api | null): Promise<void> {
  if (!api || api.process.exitCode !== null) return;
  const exited = new Promise((resolve) => api.process.once('exit', resolve));
  api.process.kill('SIGTERM');
  if ((await Promise.race([exited, sleep(15_000).then(() => 'timeout')])) === 'timeout') api.process.kill('SIGKILL');
}

/**
 * One navigation to the ticket list; ms from the navigation's start (the page's time origin) to the first frame
 * in which the list's first ticket is visible, and how many tickets that first screen shows.
 */
async function timeToList(page: Page, url: string): Promise<{ ms: number; shown: number }> {
  await page.goto(`${url}/app/tickets`, { waitUntil: 'commit' });
  // a function, not a string: the page's CSP refuses eval, and a string predicate would need it
  const handle = await page.waitForFunction(
    () => {
      const { document, performance } = globalThis as any;
      const first = document.querySelector('ul[aria-label="Tickets"] > li');
      if (!first || !first.checkVisibility()) return false;
      return { ms: performance.now() as number, shown: document.querySelectorAll('ul[aria-label="Tickets"] > li').length as number };
    },
    undefined,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as { ms: number; shown: number };
}

async function main(): Promise<void> {
  const begun = performance.now();
  console.log(`cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);

  const sizes = assetSizes();
  console.log('\nthe built web app (apps/web/dist/assets), gzipped at zlib level 6\n');
  printTable(['file', 'raw', 'gzipped', 'loaded up front'], sizes.rows);
  const total = sizes.js + sizes.css;
  console.log(
    `\nJavaScript ${kb(sizes.js)} + CSS ${kb(sizes.css)} = ${kb(total)} gzipped in all (${kb(sizes.initial)} loaded up front); ` +
      `target under ${TARGET_KB} KB: ${total < TARGET_KB * 1024 ? 'met' : 'NOT met'}`,
  );

  const db = await freshDatabase();
  let api: Api | null = null;
  const browser = await launchBrowser();
  try {
    const port = await freePort();
    api = startApi({ DATABASE_URL: db.url, BASE_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'warn', AUTH_RATE_LIMIT: '1000000', ...adminEnv }, port);
    await healthy(api);
    await createRepo(api.url, await adminToken(api.url), REPO);
    const customer = await newCustomer(api.url, 'bench-web');

    const seeding = performance.now();
    let unavailable = 0;
    await inPool(TICKETS, SEED_CONCURRENCY, async (i) => {
      const body = { repo: REPO, title: `Export truncated at row ${i + 1}`, description: 'The CSV export stops early; steps to reproduce attached.' };
      // a loaded machine may make the API shed a request with 503 ("try again shortly"): it is tried again
      for (let attempt = 1; ; attempt++) {
        const created = await call(api!.url, 'POST', '/tickets', { token: customer.token, body });
        if (created.status === 201) return;
        if (created.status !== 503 || attempt === 5) throw new Error(`POST /tickets answered ${created.status}: ${created.text}`);
        unavailable++;
        await sleep(200 * attempt);
      }
    });
    const seedSeconds = (performance.now() - seeding) / 1000;
    const firstPage = await call(api.url, 'GET', '/tickets', { token: customer.token });
    console.log(
      `\n${fmt(TICKETS)} tickets of one customer made through POST /tickets (${SEED_CONCURRENCY} at a time) in ${fmt(seedSeconds, 1)} s; ` +
        `${unavailable ? `${unavailable} 503 answer(s) tried again; ` : ''}GET /tickets answers ${firstPage.body.items.length} of them on its first page (${kb(Buffer.byteLength(firstPage.text))})`,
    );

    const cookie = { name: 'tb_session', value: customer.token, url: api.url };
    const signedIn = async (): Promise<BrowserContext> => {
      const context = await browser.newContext({ viewport: DESKTOP });
      await context.addCookies([cookie]);
      return context;
    };

    // one navigation first, to check the page and warm the API and the browser process (not counted)
    const probe = await signedIn();
    const probePage = await probe.newPage();
    const { shown } = await timeToList(probePage, api.url);
    await probe.close();

    const cold: number[] = [];
    for (let i = 0; i < NAVIGATIONS; i++) {
      const context = await signedIn();
      cold.push((await timeToList(await context.newPage(), api.url)).ms);
      await context.close();
    }
    const warm: number[] = [];
    const context = await signedIn();
    const page = await context.newPage();
    await timeToList(page, api.url); // fills this context's cache
    for (let i = 0; i < NAVIGATIONS; i++) warm.push((await timeToList(page, api.url)).ms);
    await context.close();
    if (browser.problems.length) console.log(`\nthe pages reported: ${browser.problems.join('; ')}`);

    console.log(`\nnavigation to /app/tickets until the first ticket is visible, headless Chromium, ${NAVIGATIONS} navigations each; ${shown} tickets on the first screen\n`);
    const row = (name: string, values: number[]) => [name, fmt(median(values)), fmt(percentile(values, 95)), fmt(Math.min(...values)), fmt(Math.max(...values))];
    printTable(['cache', 'median ms', 'p95 ms', 'min ms', 'max ms'], [row('cold (new context)', cold), row('warm (same page)', warm)]);
    console.log(
      [
        '',
        'ms from the navigation start (performance.timeOrigin) to the first animation frame in which the first <li> of',
        '<ul aria-label="Tickets"> is visible; the page asks GET /auth/me and GET /tickets itself, signed in by the tb_session cookie.',
        `the API: dist/apps/api/src/main.js, LOG_LEVEL=warn, no worker, no Forgejo; Chromium, the API and Postgres share the ${cpus().length} cores.`,
        `load average at the end: ${loadavg().map((l) => fmt(l, 2)).join(' ')}; other processes' work skews the figures.`,
        `total ${fmt((performance.now() - begun) / 1000, 1)} s`,
      ].join('\n'),
    );
  } finally {
    await browser.close();
    await stopApi(api);
    await db.drop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
