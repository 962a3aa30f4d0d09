import { describe, expect, it } from '@jest/globals';
import { waitUntil } from '../../../../test/support/wait.js';
import { ForgejoBreaker } from './forgejo-breaker.js';
import { TemporaryForgejoError } from '../client/forgejo-errors.js';

const quiet = { warn: () => undefined, info: () => undefined };

describe('ForgejoBreaker', () => {
  it('stays closed when only one call failed and Forgejo still answers its version', async () => {
    let recovered = 0;
    const breaker = new ForgejoBreaker({ probe: async () => ({}), probeIntervalMs: 10, onRecovered: () => void recovered++, log: quiet });
    await breaker.failed();
    expect(breaker.isOpen).toBe(false);
    expect(() => breaker.assertClosed()).not.toThrow();
    expect(recovered).toBe(0);
  });

  it('opens when Forgejo does not answer, keeps jobs away, probes, and releases them once when it answers', async () => {
    let up = false;
    let probes = 0;
    let recovered = 0;
    const breaker = new ForgejoBreaker({
      probe: async () => {
        probes++;
        if (!up) throw new TemporaryForgejoError('503');
      },
      probeIntervalMs: 10,
      onRecovered: () => void recovered++,
      log: quiet,
    });
    // many jobs fail at once: one probe decides for all
    await Promise.all([breaker.failed(), breaker.failed(), breaker.failed()]);
    expect(probes).toBe(1);
    expect(breaker.isOpen).toBe(true);
    expect(() => breaker.assertClosed()).toThrow(TemporaryForgejoError);
    await waitUntil(() => probes >= 3, { what: 'probes while open' });
    expect(recovered).toBe(0);
    up = true;
    await waitUntil(() => recovered === 1, { what: 'the release' });
    expect(breaker.isOpen).toBe(false);
    // it opens again on the next outage
    up = false;
    await breaker.failed();
    expect(breaker.isOpen).toBe(true);
    breaker.stop();
  });
});
