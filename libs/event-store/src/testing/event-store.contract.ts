import { randomUUID } from 'node:crypto';
import { expect, it } from '@jest/globals';
import { testEvent } from './test-event.js';
import { comparePositions, WrongExpectedVersionError, type EventStore, type RecordedEvent } from '../event-store.port.js';

/**
 * The behaviour every adapter promises. Call inside a describe block; `store()` gives the adapter under test,
 * fresh or shared (every test uses streams of its own).
 */
export function eventStoreContract(store: () => EventStore): void {
  const stream = () => `test-${randomUUID()}`;

  it('creates a stream with no_stream and appends at the exact revision', async () => {
    const id = stream();
    const first = await store().append(id, [testEvent('A'), testEvent('B')], 'no_stream');
    expect(first.nextRevision).toBe(1);
    const second = await store().append(id, [testEvent('C')], 1);
    expect(second.nextRevision).toBe(2);
    expect(comparePositions(second.position, first.position)).toBeGreaterThan(0);
    const events = await store().readStream(id);
    expect(events.map((e) => [e.type, e.revision])).toEqual([['A', 0], ['B', 1], ['C', 2]]);
    expect(events[0].metadata.actor).toEqual({ type: 'system' });
  });

  it('refuses no_stream on an existing stream, a stale revision, a revision ahead, and stream_exists on none', async () => {
    const id = stream();
    await store().append(id, [testEvent()], 'no_stream');
    await expect(store().append(id, [testEvent()], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await store().append(id, [testEvent()], 0);
    await expect(store().append(id, [testEvent()], 0)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(store().append(id, [testEvent()], 5)).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(store().append(stream(), [testEvent()], 'stream_exists')).rejects.toBeInstanceOf(WrongExpectedVersionError);
    expect((await store().append(id, [testEvent()], 'stream_exists')).nextRevision).toBe(2);
    expect((await store().readStream(id)).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('reads a slice of a stream: from a revision, at most a count', async () => {
    const id = stream();
    await store().append(id, ['A', 'B', 'C', 'D'].map((type) => testEvent(type)), 'no_stream');
    expect((await store().readStream(id, { fromRevision: 2 })).map((e) => e.type)).toEqual(['C', 'D']);
    expect((await store().readStream(id, { fromRevision: 1, maxCount: 2 })).map((e) => [e.type, e.revision])).toEqual([['B', 1], ['C', 2]]);
    expect((await store().readStream(id, { maxCount: 1 })).map((e) => e.type)).toEqual(['A']);
    expect(await store().readStream(id, { fromRevision: 9 })).toEqual([]);
  });

  it('reads a missing stream as empty', async () => {
    expect(await store().readStream(stream())).toEqual([]);
  });

  it('lets exactly 1 of 50 concurrent appends at the same expected revision succeed', async () => {
    const id = stream();
    await store().append(id, [testEvent()], 'no_stream');
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) => store().append(id, [testEvent('Raced', { i })], 0)),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(49);
    for (const failure of lost) expect(failure.reason).toBeInstanceOf(WrongExpectedVersionError);
    const events = await store().readStream(id);
    expect(events.map((e) => e.revision)).toEqual([0, 1]);
    expect(new Set(events.map((e) => e.id)).size).toBe(2);
  });

  it('keeps one copy when an append is retried with the same event ids', async () => {
    const id = stream();
    const batch = [testEvent('A'), testEvent('B')];
    const first = await store().append(id, batch, 'no_stream');
    // the caller never saw `first` (say the connection dropped after commit) and tries again, unchanged
    const retried = await store().append(id, batch, 'no_stream');
    expect(retried.nextRevision).toBe(first.nextRevision);
    await store().append(id, [testEvent('C')], 1);
    const again = await store().append(id, [batch[1]], 0);
    expect(again.nextRevision).toBe(1);
    expect((await store().readStream(id)).map((e) => e.type)).toEqual(['A', 'B', 'C']);
  });

  it('delivers every event exactly once, in stream order, to a subscriber reading while 8 writers append 2,000 each', async () => {
    const writers = 8;
    const perWriter = 2000;
    const streams = Array.from({ length: writers }, () => stream());
    const mine = new Set(streams);
    const seen = new Map<string, number[]>(streams.map((s) => [s, []]));
    const ids = new Set<string>();
    let duplicates = 0;
    const stop = new AbortController();
    const consumed = (async () => {
      let count = 0;
      for await (const batch of store().subscribeToAll({ from: null, signal: stop.signal })) {
        for (const event of batch) {
          if (!mine.has(event.streamId)) continue;
          if (ids.has(event.id)) duplicates++;
          ids.add(event.id);
          seen.get(event.streamId)!.push(event.revision);
          count++;
        }
        if (count >= writers * perWriter) break;
      }
    })();
    await Promise.all(
      streams.map(async (id) => {
        let expected: 'no_stream' | number = 'no_stream';
        for (let i = 0; i < perWriter; i++) {
          expected = (await store().append(id, [testEvent('Written', { i })], expected)).nextRevision;
        }
      }),
    );
    const deadline = setTimeout(() => stop.abort(), 60000);
    await consumed;
    clearTimeout(deadline);
    stop.abort();
    expect(duplicates).toBe(0);
    expect(ids.size).toBe(writers * perWriter);
    for (const revisions of seen.values()) {
      expect(revisions).toEqual(Array.from({ length: perWriter }, (_, i) => i));
    }
  }, 180000);

  it('reads all from a checkpoint, in the same order as a subscription', async () => {
    const id = stream();
    await store().append(id, [testEvent('A'), testEvent('B'), testEvent('C')], 'no_stream');
    const all: RecordedEvent[] = [];
    let from = null;
    for (;;) {
      const page: RecordedEvent[] = await store().readAll(from, 1000);
      if (page.length === 0) break;
      all.push(...page);
      from = page[page.length - 1].position;
    }
    const mine = all.filter((e) => e.streamId === id);
    expect(mine.map((e) => e.type)).toEqual(['A', 'B', 'C']);
    for (let i = 1; i < all.length; i++) expect(comparePositions(all[i - 1].position, all[i].position)).toBeLessThan(0);
    const tail = await store().readAll(mine[0].position, 10);
    expect(tail.filter((e) => e.streamId === id).map((e) => e.type)).toEqual(['B', 'C']);
  });
}
