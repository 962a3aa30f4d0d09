import { setTimeout as sleep } from 'node:timers/promises';

/** Polls until `check` returns a truthy value, or fails after the deadline with the last value seen. */
export async function waitUntil<T>(check: () => Promise<T> | T, { timeoutMs = 15000, intervalMs = 25, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await check();
    if (last) return last;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what} (last: ${JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}
