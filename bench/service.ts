// The service under measurement, as `npm start` runs it (API and worker compiled, with the apps' node flags), for
// the benches that drive it over HTTP (bench:faults, bench:scale).
import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { APP_NODE_FLAGS } from '../scripts/app-node-flags.js';
import { FakeForgejo } from '../test/support/fake-forgejo.js';
import { freePort } from '../test/support/ports.js';
import { freshDatabase, type BenchDatabase } from './support.js';

export const FORGEJO_TOKEN = 'bench-token';
export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The repo every bench files its tickets against, and the Forgejo repository and webhook secret it has. */
export const BENCH_REPO = { slug: 'bench', owner: 'acme', name: 'desk', webhookSecret: 'secret' };
const ADMIN = { email: 'bench-admin@example.com', password: 'bench admin password' };
const CUSTOMER = { email: 'bench-customer@example.com', password: 'bench customer password' };
const root = fileURLToPath(new URL('../', import.meta.url));
// the apps' node flags; BENCH_APP_NODE_FLAGS replaces them (to try others, e.g. "--max-old-space-size=96 --max-semi-space-size=2")
const NODE_FLAGS = process.env.BENCH_APP_NODE_FLAGS === undefined ? APP_NODE_FLAGS : process.env.BENCH_APP_NODE_FLAGS.split(' ').filter(Boolean);

/** Both apps running on one database. */
export interface Apps {
  base: string;
  api: ChildProcess;
  worker: ChildProcess;
}

/** The apps with an admin, the repo `bench` and a customer (its id and token). */
export interface Service extends Apps {
  db: BenchDatabase;
  forgejo: FakeForgejo;
  customerId: string;
  customerToken: string;
  adminToken: string;
}

export async function json(url: string, init: RequestInit = {}): Promise<any> {
  const response = await fetch(url, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...(init.headers ?? {}) } });
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

function start(entry: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...NODE_FLAGS, entry], { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

export const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** The compiled API and worker on `db` (Forgejo at `forgejo`), once /health answers; `env` adds to their environment. */
export async function startApps(db: BenchDatabase, forgejo: FakeForgejo, env: Record<string, string> = {}): Promise<Apps> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const appEnv = {
    DATABASE_URL: db.url,
    REDIS_URL,
    PORT: String(port),
    FORGEJO_URL: forgejo.url,
    FORGEJO_API_TOKEN: FORGEJO_TOKEN,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    AUTH_RATE_LIMIT: '100000',
    LOG_LEVEL: 'error',
    ...env,
  };
  const api = start('dist/apps/api/src/main.js', appEnv);
  const worker = start('dist/apps/worker/src/main.js', appEnv);
  for (let i = 0; !(await fetch(`${base}/health`).catch(() => null))?.ok; i++) {
    if (i > 600 || !alive(api)) {
      await stopApps({ base, api, worker });
      throw new Error('the API did not come up');
    }
    await sleep(100);
  }
  return { base, api, worker };
}

/** SIGTERM to both apps; resolves once both have exited. */
export async function stopApps(apps: Apps): Promise<void> {
  for (const child of [apps.api, apps.worker]) {
    if (alive(child)) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

export async function login(base: string, account: { email: string; password: string }): Promise<string> {
  return (await json(`${base}/auth/login`, { method: 'POST', body: JSON.stringify(account) })).token;
}

/** The admin's and the customer's tokens, after the first start has created the repo and registered the customer. */
export async function signIn(base: string): Promise<{ adminToken: string; customerToken: string }> {
  return { adminToken: await login(base, ADMIN), customerToken: await login(base, CUSTOMER) };
}

/** A fresh database, a fake Forgejo and both apps, with the admin, the repo `bench` and the customer set up. */
export async function startService(env: Record<string, string> = {}): Promise<Service> {
  const db = await freshDatabase();
  const forgejo = await new FakeForgejo(FORGEJO_TOKEN).start();
  try {
    const apps = await startApps(db, forgejo, env);
    const adminToken = await login(apps.base, ADMIN);
    await json(`${apps.base}/admin/repos`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}` }, body: JSON.stringify(BENCH_REPO) });
    const customerId = (await json(`${apps.base}/auth/register`, { method: 'POST', body: JSON.stringify(CUSTOMER) })).id;
    const customerToken = await login(apps.base, CUSTOMER);
    return { ...apps, db, forgejo, customerId, customerToken, adminToken };
  } catch (error) {
    await forgejo.stop();
    await db.drop();
    throw error;
  }
}

export async function stopService(service: Service): Promise<void> {
  await stopApps(service);
  await service.forgejo.stop();
  await service.db.drop();
}
