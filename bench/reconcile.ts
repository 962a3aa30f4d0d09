/*
 * `npm run bench:reconcile`: the cost of one reconcile pass over 10,000 linked tickets of which 100 changed in
 * Forgejo with no webhook (closed there): the Forgejo requests it makes and its wall time, in the real worker
 * (in-process, its Reconciler, against the test fake Forgejo on loopback, SMTP unset). The tickets are written
 * straight to the event store, their issues straight into the fake, in bulk; a first pass takes the repository's
 * look, then 100 issues close and the measured pass runs; a last pass shows a look at which nothing is new
 * (it re-reads the overlap). Prints figures; asserts nothing.
 *
 * BENCH_TICKETS (10000), BENCH_CHANGED (100).
 */
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queue } from 'bull';
import { loadConfig } from '../libs/config/src/index.js';
import { PostgresEventStore, type EventMetadata } from '../libs/event-store/src/index.js';
import { AFTER_LINK_DEBOUNCE_MS, Reconciler } from '../libs/forgejo/src/reconcile/reconciler.js';
import { FORGEJO_QUEUE } from '../libs/queues/src/index.js';
import { ReposRepository } from '../libs/repos/src/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { FakeForgejo, type RecordedRequest } from '../test/support/fake-forgejo.js';
import { startTestWorker } from '../test/support/worker.js';
import { fmt, printTable } from './support.js';

const TICKETS = Number(process.env.BENCH_TICKETS ?? 10_000);
const CHANGED = Number(process.env.BENCH_CHANGED ?? 100);
const SLUG = 'bench-desk';
const TOKEN = 'bench-forgejo-token';
const REPO = 'acme/support-desk';

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** `count` tickets linked to issues 1…count of acme/support-desk: their streams in the store, their issues in the fake. */
async function seed(db: TestDatabase, forgejo: FakeForgejo, count: number): Promise<void> {
  const store = new PostgresEventStore(db.pool);
  const customerId = randomUUID();
  const metadata = (): EventMetadata => ({ actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() });
  // the issues last changed well before the tickets: no look reads them until they change
  const old = new Date(Date.now() - 3_600_000).toISOString();
  const queue = Array.from({ length: count }, (_, i) => i + 1);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const ticketId = randomUUID();
        const at = new Date().toISOString();
        forgejo.issues.push({ id: 500_000 + n, number: n, title: `Export truncated #${n}`, body: '', repo: REPO, state: 'open', closed_at: null, created_at: old, updated_at: old });
        await store.append(
          `ticket-${ticketId}`,
          [
            {
              id: randomUUID(),
              type: 'TicketCreated',
              data: { ticketId, repo: SLUG, title: `Export truncated #${n}`, description: 'The export stops at 1,000 rows.', customerId, customerEmail: 'bench@example.com', createdAt: at },
              metadata: metadata(),
            },
            { id: randomUUID(), type: 'ForgejoIssueLinked', data: { ticketId, issueNumber: n, owner: 'acme', name: 'support-desk', linkedAt: at }, metadata: metadata() },
          ],
          'no_stream',
        );
      }
    }),
  );
}

const byRoute = (requests: RecordedRequest[]) => {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const route = `${r.method} ${r.path.replace(/\/issues\/\d+/, '/issues/{index}')}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  return [...counts].map(([route, n]) => `${route} ×${n}`).join(', ');
};

async function main(): Promise<void> {
  const db = await createTestDatabase('bench');
  const forgejo = await new FakeForgejo(TOKEN).start();
  let worker: INestApplicationContext | null = null;
  try {
    console.log('machine');
    console.log(`  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
    await new ReposRepository(db.pool).create({ slug: SLUG, owner: 'acme', name: 'support-desk', webhookSecret: 'bench-webhook-secret' });
    console.log(`\nseeding ${fmt(TICKETS)} tickets, each linked to its own issue`);
    await seed(db, forgejo, TICKETS);
    const config = loadConfig({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'error',
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      // passes only when the bench asks for them (and the after-link ones while the links are projected)
      FORGEJO_RECONCILE_INTERVAL_S: '604800',
    });
    worker = await startTestWorker(config);
    const queue = worker.get<Queue>(getQueueToken(FORGEJO_QUEUE));
    await until('the read model to show every link', 300_000, async () => {
      const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM tickets WHERE forgejo_issue_number IS NOT NULL');
      return rows[0].n === TICKETS;
    });
    // the sagas follow the same events: the seeded TicketCreated events' issue jobs (which find their tickets
    // linked) and the after-link passes must be over before anything is measured
    await until('the sagas to catch up', 300_000, async () => {
      const { rows } = await db.pool.query(
        `SELECT s.commit_position = t.commit_position AND s.prepare_position = t.prepare_position AS done
         FROM projection_checkpoints s, projection_checkpoints t WHERE s.name = 'sagas' AND t.name = 'tickets'`,
      );
      return rows[0]?.done === true;
    });
    await until('the Forgejo queue to drain', 300_000, async () => {
      const counts = await queue.getJobCounts();
      return counts.waiting + counts.active + counts.delayed === 0;
    });
    // the last after-link pass asked for while the sagas caught up, then the first look at the repository
    await sleep(AFTER_LINK_DEBOUNCE_MS * 2);
    const reconciler = worker.get(Reconciler);
    await reconciler.runOnce();

    const changed = new Set<number>();
    while (changed.size < Math.min(CHANGED, TICKETS)) changed.add(1 + Math.floor(Math.random() * TICKETS));
    for (const n of changed) forgejo.closeIssue(forgejo.issues.find((i) => i.number === n)!);

    const measure = async () => {
      const before = forgejo.requests.length;
      const started = performance.now();
      const looks = await reconciler.runOnce();
      const ms = performance.now() - started;
      return { ms, requests: forgejo.requests.slice(before), looks: looks ?? [] };
    };
    const changedPass = await measure();
    const closed = Number((await db.pool.query(`SELECT count(*) FROM events WHERE type = 'IssueClosed' AND metadata->>'via' = 'reconcile'`)).rows[0].count);
    const quietPass = await measure();

    console.log(`\none reconcile pass over ${fmt(TICKETS)} linked tickets in one repository (Forgejo: the fake, on loopback)`);
    const row = (label: string, pass: typeof changedPass): string[] => [
      label,
      fmt(pass.looks.reduce((sum, look) => sum + look.requests, 0)),
      fmt(pass.looks.reduce((sum, look) => sum + look.applied, 0)),
      fmt(pass.ms, 0),
      byRoute(pass.requests),
    ];
    printTable(['pass', 'Forgejo requests', 'changes applied', 'wall ms', 'requests by route'], [row(`${fmt(changed.size)} issues closed`, changedPass), row('nothing new', quietPass)]);
    console.log(`\nIssueClosed events via reconcile: ${fmt(closed)} of ${fmt(changed.size)}; ${fmt(changedPass.ms / Math.max(1, changed.size), 1)} ms per applied change, read-model wait included`);
    if (forgejo.violations.length > 0) console.log(`fake Forgejo saw requests swagger.v1.json does not allow: ${forgejo.violations.slice(0, 3).join('; ')}`);
  } finally {
    await worker?.close();
    await forgejo.stop();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
