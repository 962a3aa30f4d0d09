// npm run bench:sync: the lag from `POST /tickets` answered to `forgejoIssueNumber` visible, at 50 tickets per
// second with a fake Forgejo answering in 20 ms. Prints p50/p95/p99; asserts nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { FakeForgejo } from '../test/support/fake-forgejo.js';
import { freePort } from '../test/support/ports.js';
import { freshDatabase, fmt, printTable } from './support.js';

const RATE_PER_SECOND = 50;
const SECONDS = 10;
const TOKEN = 'bench-token';
const root = fileURLToPath(new URL('../', import.meta.url));

function start(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...APP_NODE_FLAGS, entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function json(url: string, init: RequestInit = {}): Promise<any> {
  const response = await fetch(url, { ...init, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

const db = await freshDatabase();
const forgejo = await new FakeForgejo(TOKEN).start();
forgejo.behaviour = () => ({ kind: 'ok', delayMs: 20 });
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  DATABASE_URL: db.url,
  PORT: String(port),
  FORGEJO_URL: forgejo.url,
  FORGEJO_API_TOKEN: TOKEN,
  ADMIN_EMAIL: 'bench-admin@example.com',
  ADMIN_PASSWORD: 'bench admin password',
  AUTH_RATE_LIMIT: '100000',
  LOG_LEVEL: 'warn',
};
const children = [start('dist/apps/api/src/main.js', env), start('dist/apps/worker/src/main.js', env)];
try {
  for (let i = 0; ; i++) {
    if ((await fetch(`${base}/health`).catch(() => null))?.ok) break;
    if (i > 300) throw new Error('API did not come up');
    await sleep(100);
  }
  const admin = (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify({ email: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }) })).token;
  await json(`${base}/admin/repos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}` },
    body: JSON.stringify({ slug: 'bench', owner: 'acme', name: 'desk', webhookSecret: 'secret' }),
  });
  const customer = { email: 'bench-customer@example.com', password: 'bench customer password' };
  await json(`${base}/auth/register`, { method: 'POST', body: JSON.stringify(customer) });
  const token = (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify(customer) })).token;

  const answeredAt = new Map<string, number>();
  const lags: number[] = [];
  let polling = true;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  // watch the read model the GET route reads, every 5 ms, for issue numbers appearing
  const watcher = (async () => {
    while (polling || answeredAt.size > 0) {
      const pending = [...answeredAt.keys()];
      if (pending.length) {
        const { rows } = await db.pool.query('SELECT id FROM tickets WHERE id = ANY($1) AND forgejo_issue_number IS NOT NULL', [pending]);
        const now = performance.now();
        for (const { id } of rows) {
          lags.push(now - answeredAt.get(id)!);
          answeredAt.delete(id);
        }
      }
      await sleep(5);
      if (!polling && performance.now() > deadline + 30_000) break;
    }
  })();
  const posts: Promise<void>[] = [];
  for (let i = 0; i < RATE_PER_SECOND * SECONDS; i++) {
    const due = started + (i * 1000) / RATE_PER_SECOND;
    if (due > performance.now()) await sleep(due - performance.now());
    posts.push(
      json(`${base}/tickets`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify({ repo: 'bench', title: `Ticket ${i}`, description: 'Benchmark ticket' }),
      }).then((ticket) => void answeredAt.set(ticket.id, performance.now())),
    );
  }
  await Promise.all(posts);
  polling = false;
  await watcher;
  const sorted = [...lags].sort((a, b) => a - b);
  console.log(`\nbench:sync: ${posts.length} tickets at ${RATE_PER_SECOND}/s, fake Forgejo answering in 20 ms`);
  printTable(
    ['figure', 'value', 'target', 'meets'],
    [
      ['synced', `${lags.length}/${posts.length}`, 'all', lags.length === posts.length ? 'yes' : 'NO'],
      ['lag p50, ms', fmt(percentile(sorted, 50)), '-', '-'],
      ['lag p95, ms', fmt(percentile(sorted, 95)), '< 250', percentile(sorted, 95) < 250 ? 'yes' : 'NO'],
      ['lag p99, ms', fmt(percentile(sorted, 99)), '-', '-'],
      ['Forgejo issue creations', String(forgejo.creates('issue').length), String(posts.length), '-'],
    ],
  );
} finally {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))));
  await forgejo.stop();
  await db.drop();
}
