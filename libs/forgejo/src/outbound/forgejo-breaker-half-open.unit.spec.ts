import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../../test/support/wait.js';
import { ForgejoBreaker } from './forgejo-breaker.js';
import { TemporaryForgejoError } from '../client/forgejo-errors.js';

const quiet = { warn: () => undefined, info: () => undefined };
const INTERVAL_MS = 20;

/** Forgejo answers its version throughout: only its other routes fail. */
function apiOnlyOutage(halfOpenMs = 60_000) {
  const releases: number[] = [];
  let probes = 0;
  const breaker = new ForgejoBreaker({
    probe: async () => void probes++,
    probeIntervalMs: INTERVAL_MS,
    onRecovered: () => void releases.push(Date.now()),
    log: quiet,
    halfOpenMs,
  });
  return { breaker, releases, probes: () => probes };
}

describe('ForgejoBreaker, when only the API routes fail', () => {
  it('opens after repeated failures of real calls although the version answers, and releases the jobs after a probe', async () => {
    const { breaker, releases, probes } = apiOnlyOutage();
    await breaker.failed();
    await breaker.failed();
    expect(breaker.isOpen).toBe(false);
    await breaker.failed();
    expect(breaker.isOpen).toBe(true);
    expect(() => breaker.assertClosed()).toThrow(TemporaryForgejoError);
    expect(releases).toHaveLength(0);

    await waitUntil(() => releases.length === 1, { what: 'the release' });
    // half-open: the released jobs call Forgejo, and their failures are reported (the processor asks isOpen)
    expect(breaker.status).toBe('half-open');
    expect(breaker.isOpen).toBe(false);
    expect(() => breaker.assertClosed()).not.toThrow();
    expect(probes()).toBeGreaterThanOrEqual(1);
    breaker.stop();
  });

  it('stays closed on the odd failure of a busy Forgejo: most calls it lets through do not fail', async () => {
    const { breaker, releases } = apiOnlyOutage();
    for (let i = 0; i < 4; i++) {
      for (let call = 0; call < 3; call++) breaker.assertClosed();
      await breaker.failed();
    }
    expect(breaker.isOpen).toBe(false);
    // then every call fails: once failures are half of the calls, it opens
    let failedInARow = 0;
    while (!breaker.isOpen && failedInARow < 20) {
      breaker.assertClosed();
      await breaker.failed();
      failedInARow++;
    }
    expect(breaker.isOpen).toBe(true);
    expect(failedInARow).toBe(4);
    expect(releases).toHaveLength(0);
    breaker.stop();
  });

  it('re-opens at the first failure of a released call, pausing twice as long before each next release, up to 16 intervals', async () => {
    const { breaker, releases, probes } = apiOnlyOutage();
    for (let i = 0; i < 3; i++) await breaker.failed();
    const reopenedAt: number[] = [];
    for (let release = 1; release <= 6; release++) {
      await waitUntil(() => releases.length === release, { what: `release ${release}` });
      const probesBefore = probes();
      reopenedAt.push(Date.now());
      await breaker.failed();
      // at once, without asking the version
      expect(breaker.isOpen).toBe(true);
      expect(probes()).toBe(probesBefore);
    }
    await waitUntil(() => releases.length === 7, { what: 'release 7' });
    for (let i = 0; i < 6; i++) {
      const pause = releases[i + 1] - reopenedAt[i];
      const expected = INTERVAL_MS * 2 ** Math.min(i + 1, 4);
      expect(pause).toBeGreaterThanOrEqual(expected - 2);
    }
    // the longest pause is 16 intervals, so that a recovery is still noticed soon
    expect(releases[6] - reopenedAt[5]).toBeLessThan(INTERVAL_MS * 16 + 200);
    breaker.stop();
  });

  it('stays half-open when one released call fails among others that pass (a repository failing alone)', async () => {
    const { breaker, releases } = apiOnlyOutage();
    for (let i = 0; i < 3; i++) await breaker.failed();
    await waitUntil(() => releases.length === 1, { what: 'the release' });
    for (let call = 0; call < 5; call++) breaker.assertClosed();
    await breaker.failed();
    expect(breaker.status).toBe('half-open');
    // then most of them fail: it re-opens
    await breaker.failed();
    await breaker.failed();
    expect(breaker.isOpen).toBe(true);
    breaker.stop();
  });

  it('closes after a quiet while half-open: one failure then opens it no more, and the pauses start short again', async () => {
    const { breaker, releases } = apiOnlyOutage(50);
    for (let i = 0; i < 3; i++) await breaker.failed();
    await waitUntil(() => releases.length === 1, { what: 'the release' });
    await breaker.failed(); // a released call failed: pause of 2 intervals
    await waitUntil(() => releases.length === 2, { what: 'the second release' });
    await waitUntil(() => breaker.status === 'closed', { what: 'closed after a quiet half-open' });
    await breaker.failed();
    expect(breaker.isOpen).toBe(false);
    await breaker.failed();
    await breaker.failed();
    const openedAt = Date.now();
    expect(breaker.isOpen).toBe(true);
    await waitUntil(() => releases.length === 3, { what: 'the third release' });
    expect(releases[2] - openedAt).toBeLessThan(2 * INTERVAL_MS + 200);
    breaker.stop();
  });

  it('stays open while the version fails too, and releases once it answers', async () => {
    let up = false;
    let probes = 0;
    const releases: number[] = [];
    const breaker = new ForgejoBreaker({
      probe: async () => {
        probes++;
        if (!up) throw new TemporaryForgejoError('503');
      },
      probeIntervalMs: INTERVAL_MS,
      onRecovered: () => void releases.push(Date.now()),
      log: quiet,
    });
    for (let i = 0; i < 3; i++) await breaker.failed();
    expect(breaker.isOpen).toBe(true);
    await waitUntil(() => probes >= 4, { what: 'probes while down' });
    expect(releases).toHaveLength(0);
    expect(breaker.isOpen).toBe(true);
    up = true;
    await waitUntil(() => releases.length === 1, { what: 'the release' });
    expect(breaker.isOpen).toBe(false);
    breaker.stop();
  });
});
