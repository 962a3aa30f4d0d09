import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/database.js';
import type { Position, RecordedEvent } from '../event-store.port.js';
import { PostgresEventStore, READ_ALL_PAGE_BYTES } from './postgres-event-store.js';

const metadata = { actor: { type: 'system' as const }, correlationId: 'c', causationId: 'c' };

// A page of readAll is bounded by the bytes of its events' data too: the projection asks for 500 events and the
// rebuild for 5,000, and 500 comments of 65,535 non-ASCII characters would be ~65 MB of text.
describe('Postgres event store: readAll pages of big events', () => {
  let db: TestDatabase;
  let store: PostgresEventStore;
  const big = (i: number) => `${i}:` + 'ж'.repeat(600_000); // ~1.2 MB of UTF-8 each

  beforeAll(async () => {
    db = await createTestDatabase('pgpages');
    store = new PostgresEventStore(db.pool);
    const stream = `big-${randomUUID()}`;
    for (let i = 0; i < 20; i++) {
      await store.append(stream, [{ id: randomUUID(), type: 'Big', data: { text: big(i) }, metadata }], i === 0 ? 'no_stream' : i - 1);
    }
    await store.append(stream, [{ id: randomUUID(), type: 'Small', data: {}, metadata }], 19);
  });
  afterAll(async () => {
    await store.close();
    await db.drop();
  });

  it('stops a page at the byte budget, always gives at least one event, and pages through all of them in order', async () => {
    const pages: RecordedEvent[][] = [];
    let from: Position | null = null;
    for (;;) {
      const page = await store.readAll(from, 5000);
      if (page.length === 0) break;
      pages.push(page);
      from = page[page.length - 1].position;
    }
    const all = pages.flat();
    expect(all.map((e) => e.revision)).toEqual(Array.from({ length: 21 }, (_, i) => i));
    expect(all.slice(0, 20).map((e) => e.data.text)).toEqual(Array.from({ length: 20 }, (_, i) => big(i)));
    expect(pages.length).toBeGreaterThan(2);
    for (const page of pages) {
      expect(page.length).toBeGreaterThan(0);
      expect(page.reduce((sum, e) => sum + Buffer.byteLength(JSON.stringify(e.data)), 0)).toBeLessThanOrEqual(READ_ALL_PAGE_BYTES + 1024);
    }
  });

  it('gives one event even when that one alone is over the budget', async () => {
    const stream = `huge-${randomUUID()}`;
    const huge = 'ж'.repeat(5_000_000); // 10 MB of UTF-8
    await store.append(stream, [{ id: randomUUID(), type: 'Huge', data: { text: huge }, metadata }], 'no_stream');
    const [mine] = await store.readStream(stream);
    const page = await store.readAll({ commit: mine.position.commit, prepare: mine.position.prepare - 1n }, 5000);
    expect(page[0]?.id).toBe(mine.id);
  });

  it('still honours the count limit for small events', async () => {
    expect(await store.readAll(null, 3)).toHaveLength(3);
  });
});
