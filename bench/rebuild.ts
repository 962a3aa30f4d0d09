// npm run bench:rebuild: events replayed per second when rebuilding the read models from 100,000 events, against
// the same run's ceiling: plain multi-row INSERTs of the same rows into tables of the same shape. Asserts nothing.
import os from 'node:os';
import { PostgresEventStore } from '../libs/event-store/src/index.js';
import { rebuildReadModels } from '../libs/read-models/src/index.js';
import { fmt, freshDatabase, printTable } from './support.js';

const TICKETS = 50_000; // each with one comment: 100,000 events
const PAGE = 5000;

const db = await freshDatabase();
try {
  console.log(`bench:rebuild on ${os.cpus().length} cores, node ${process.version}`);
  // the fixture: the events a real run appends, written in bulk (how they got there is not what is measured)
  // moments as the service writes them (Date#toISOString), not as jsonb writes a timestamptz: the replay folds those
  await db.pool.query(
    `INSERT INTO events (stream_id, revision, event_id, type, data, metadata)
     SELECT 'ticket-' || t.id, e.revision, gen_random_uuid(), e.type, e.data, '{"actor":{"type":"system"},"correlationId":"bench","causationId":"bench"}'
     FROM (SELECT gen_random_uuid() AS id, gen_random_uuid() AS customer, n, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS at
           FROM generate_series(1, $1) n) t,
     LATERAL (VALUES
       (0, 'TicketCreated', jsonb_build_object('ticketId', t.id, 'repo', 'desk', 'title', 'Ticket ' || t.n, 'description', repeat('d', 200),
          'customerId', t.customer, 'customerEmail', 'c' || t.n || '@example.com', 'createdAt', t.at)),
       (1, 'CommentAdded', jsonb_build_object('ticketId', t.id, 'commentId', gen_random_uuid(), 'body', repeat('b', 100),
          'authorId', t.customer, 'authorEmail', 'c' || t.n || '@example.com', 'createdAt', t.at))
     ) AS e(revision, type, data)
     ORDER BY t.n, e.revision`,
    [TICKETS],
  );
  await db.pool.query('VACUUM (ANALYZE) events');
  const store = new PostgresEventStore(db.pool);

  const rebuild = await rebuildReadModels(db.pool, store);
  const replayRate = rebuild.eventsReplayed / (rebuild.durationMs / 1000);

  // ceiling: the same rows, as plain multi-row INSERTs in pages of the same size, into tables of the same shape
  await db.pool.query(`CREATE TABLE ceiling_tickets (LIKE tickets INCLUDING ALL); CREATE TABLE ceiling_comments (LIKE comments INCLUDING ALL)`);
  const tickets = (await db.pool.query('SELECT * FROM tickets ORDER BY seq')).rows;
  const comments = (await db.pool.query('SELECT * FROM comments')).rows;
  const insertRows = async (table: string, rows: Record<string, unknown>[]) => {
    const columns = Object.keys(rows[0]);
    // a replay page of 5,000 events holds ~2,500 rows per table: the same statement size here
    for (let i = 0; i < rows.length; i += PAGE / 2) {
      const page = rows.slice(i, i + PAGE / 2);
      const values: unknown[] = [];
      const tuples = page.map((row) => `(${columns.map((c) => `$${values.push(row[c])}`).join(', ')})`);
      await db.pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
    }
  };
  const started = performance.now();
  await insertRows('ceiling_tickets', tickets);
  await insertRows('ceiling_comments', comments);
  const ceiling = (tickets.length + comments.length) / ((performance.now() - started) / 1000);

  printTable(
    ['figure', 'value', 'ceiling', 'ratio', 'target', 'meets'],
    [
      [
        'rebuild, events/s',
        fmt(replayRate),
        fmt(ceiling),
        `${(replayRate / ceiling).toFixed(2)}×`,
        '>= 0.50×',
        replayRate / ceiling >= 0.5 ? 'yes' : 'NO',
      ],
      ['events replayed', fmt(rebuild.eventsReplayed), '-', '-', '100,000', '-'],
      ['rebuild duration, ms', fmt(rebuild.durationMs), '-', '-', '-', '-'],
    ],
  );
} finally {
  await db.drop();
}
