/*
 * `npm run bench:reconcile` (and the end of `npm run bench:webhook`, through reconcileCost): the cost of one
 * reconcile pass over 10,000 linked tickets of which 100 changed in Forgejo with no webhook: the Forgejo requests
 * it makes and its wall time, in the real worker (in-process, its Reconciler, against the test fake Forgejo on
 * loopback, SMTP unset). The tickets are written straight to the event store, their issues straight into the
 * fake, in bulk; each of the 100 to change holds a team reply (the worst case: each changed issue is asked for
 * its comments, to find deleted replies). A first pass takes the repository's look, then half the 100 issues
 * close and the other half lose their reply, and the measured pass runs; a last pass shows a look at which
 * nothing is new (it re-reads the overlap, and asks again about the issues changed within it). Prints figures;
 * asserts nothing.
 *
 * BENCH_TICKETS (10000), BENCH_CHANGED (100).
 */
import { getQueueToken } from '@nestjs/bull';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Queue } from 'bull';
import { loadConfig } from '../libs/config/src/index.js';
import { PostgresEventStore, type EventMetadata } from '../libs/event-store/src/index.js';
import { AFTER_LINK_DEBOUNCE_MS, Reconciler } from '../libs/forgejo/src/reconcile/reconciler.js';
import { FORGEJO_QUEUE, MAIL_QUEUE } from '../libs/queues/src/index.js';
import { ReposRepository } from '../libs/repos/src/index.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';
import { FakeForgejo, type FakeComment, type RecordedRequest } from '../test/support/fake-forgejo.js';
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

const replyCommentId = (n: number) => 2_000_000 + n;

/**
 * `count` tickets linked to issues 1…count of acme/support-desk: their streams in the store, their issues in the
 * fake; those of `withReply` hold a team reply, its comment in the fake too.
 */
async function seed(db: TestDatabase, forgejo: FakeForgejo, count: number, withReply: Set<number>): Promise<void> {
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
        const body = `The fix for #${n} is deployed; please try the export again.`;
        const reply = { ticketId, replyId: randomUUID(), forgejoCommentId: replyCommentId(n), body, authorName: 'Alice Team', createdAt: at };
        if (withReply.has(n)) {
          const comment: FakeComment = { id: reply.forgejoCommentId, issue: n, repo: REPO, body: `/reply ${body}`, created_at: old, updated_at: old, user: { login: 'alice', full_name: 'Alice Team' } };
          forgejo.comments.push(comment);
        }
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
            ...(withReply.has(n) ? [{ id: randomUUID(), type: 'TeamReplyAdded', data: reply, metadata: { ...metadata(), actor: { type: 'forgejo' as const, login: 'alice' } } }] : []),
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

/** Seeds, measures and prints one reconcile pass; cleans up after itself. */
export async function reconcileCost(): Promise<void> {
  const db = await createTestDatabase('bench');
  const forgejo = await new FakeForgejo(TOKEN).start();
  let worker: INestApplicationContext | null = null;
  try {
    console.log('machine');
    console.log(`  cores ${cpus().length} (${cpus()[0]?.model ?? '?'}), node ${process.version}, load average ${loadavg().map((l) => fmt(l, 2)).join(' ')}`);
    await new ReposRepository(db.pool).create({ slug: SLUG, owner: 'acme', name: 'support-desk', webhookSecret: 'bench-webhook-secret' });
    const changed = new Set<number>();
    while (changed.size < Math.min(CHANGED, TICKETS)) changed.add(1 + Math.floor(Math.random() * TICKETS));
    console.log(`\nseeding ${fmt(TICKETS)} tickets, each linked to its own issue; the ${fmt(changed.size)} to change hold a team reply each`);
    await seed(db, forgejo, TICKETS, changed);
    const config = loadConfig({
      DATABASE_URL: db.url,
      LOG_LEVEL: 'error',
      FORGEJO_URL: forgejo.url,
      FORGEJO_API_TOKEN: TOKEN,
      // passes only when the bench asks for them (and the after-link ones while the links are projected)
      FORGEJO_RECONCILE_INTERVAL_S: '604800',
    });
    worker = await startTestWorker(config);
    const queues = [FORGEJO_QUEUE, MAIL_QUEUE].map((name) => worker!.get<Queue>(getQueueToken(name)));
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
    // the replies' emails too (to the log: SMTP unset)
    await until('the Forgejo and mail queues to drain', 300_000, async () => {
      const counts = await Promise.all(queues.map((queue) => queue.getJobCounts()));
      return counts.every((c) => c.waiting + c.active + c.delayed === 0);
    });
    // the last after-link pass asked for while the sagas caught up, then the first look at the repository
    await sleep(AFTER_LINK_DEBOUNCE_MS * 2);
    const reconciler = worker.get(Reconciler);
    await reconciler.runOnce();

    // half the changed issues close, the other half lose their reply (Forgejo bumps the issue's updated_at)
    const closing = new Set([...changed].filter((_, i) => i % 2 === 0));
    for (const n of changed) {
      if (closing.has(n)) forgejo.closeIssue(forgejo.issues.find((i) => i.number === n)!);
      else forgejo.deleteComment(forgejo.comments.find((c) => c.id === replyCommentId(n))!);
    }

    const measure = async () => {
      const before = forgejo.requests.length;
      const started = performance.now();
      const looks = await reconciler.runOnce();
      const ms = performance.now() - started;
      return { ms, requests: forgejo.requests.slice(before), looks: looks ?? [] };
    };
    const changedPass = await measure();
    const viaReconcile = async (type: string) => Number((await db.pool.query(`SELECT count(*) FROM events WHERE type = $1 AND metadata->>'via' = 'reconcile'`, [type])).rows[0].count);
    const closed = await viaReconcile('IssueClosed');
    const removed = await viaReconcile('TeamReplyRemoved');
    const quietPass = await measure();

    console.log(`\none reconcile pass over ${fmt(TICKETS)} linked tickets in one repository (Forgejo: the fake, on loopback)`);
    const row = (label: string, pass: typeof changedPass): string[] => [
      label,
      fmt(pass.looks.reduce((sum, look) => sum + look.requests, 0)),
      fmt(pass.looks.reduce((sum, look) => sum + look.applied, 0)),
      fmt(pass.ms, 0),
      byRoute(pass.requests),
    ];
    const label = `${fmt(changed.size)} changed: ${fmt(closing.size)} closed, ${fmt(changed.size - closing.size)} replies deleted`;
    printTable(['pass', 'Forgejo requests', 'changes applied', 'wall ms', 'requests by route'], [row(label, changedPass), row('nothing new', quietPass)]);
    console.log(
      `\nvia reconcile: IssueClosed ${fmt(closed)} of ${fmt(closing.size)}, TeamReplyRemoved ${fmt(removed)} of ${fmt(changed.size - closing.size)}; ` +
        `${fmt(changedPass.ms / Math.max(1, changed.size), 1)} ms per applied change, read-model wait included`,
    );
    if (forgejo.violations.length > 0) console.log(`fake Forgejo saw requests swagger.v1.json does not allow: ${forgejo.violations.slice(0, 3).join('; ')}`);
  } finally {
    await worker?.close();
    await forgejo.stop();
    await db.drop();
  }
}

// run alone (`npm run bench:reconcile`); bench/webhook.ts imports reconcileCost instead
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  reconcileCost().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
