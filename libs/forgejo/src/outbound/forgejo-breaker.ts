import { TemporaryForgejoError } from '../client/forgejo-errors.js';

export interface BreakerOptions {
  /** GET /api/v1/version: resolves when Forgejo answers 2xx */
  probe: () => Promise<unknown>;
  probeIntervalMs: number;
  /** called each time the waiting jobs may call Forgejo again */
  onRecovered: () => Promise<void> | void;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** how long after a release failing calls re-open it at once; default a minute (past a call's default timeout) */
  halfOpenMs?: number;
}

// Forgejo answers its version but its issue routes keep failing: at least this many temporary failures of real
// calls, and at least half of the calls let through, within the window, open the breaker as well. The window
// outlasts three timeouts of one job retrying on its own; the share keeps a busy Forgejo's odd 502 from opening it.
const REPEATED_FAILURES = 3;
const FAILING_SHARE = 0.5;
const WINDOW_MS = 5 * 60_000;
// A release into an API that still fails costs a call per running job: the pause before the next one doubles up to
// 16 probe intervals, and never passes a minute (the rest of the 2 minutes promised is for the jobs themselves).
const PAUSE_DOUBLINGS = 4;
const LONGEST_PAUSE_MS = 60_000;

/** Calls let through and their temporary failures over the last 5 to 10 minutes: two tumbling windows, added up. */
class RecentCalls {
  private since = Date.now();
  private current = { calls: 0, failures: 0 };
  private previous = { calls: 0, failures: 0 };

  called(): void {
    this.roll().calls++;
  }

  failed(): void {
    this.roll().failures++;
  }

  /** At least `least` failures, and at least half of the calls let through. */
  failing(least: number): boolean {
    const calls = this.current.calls + this.previous.calls;
    const failures = this.current.failures + this.previous.failures;
    return failures >= least && failures >= FAILING_SHARE * calls;
  }

  get failures(): number {
    return this.current.failures + this.previous.failures;
  }

  reset(): void {
    this.since = Date.now();
    this.current = { calls: 0, failures: 0 };
    this.previous = { calls: 0, failures: 0 };
  }

  private roll(): { calls: number; failures: number } {
    const age = Date.now() - this.since;
    if (age >= 2 * WINDOW_MS) this.reset();
    else if (age >= WINDOW_MS) {
      this.previous = this.current;
      this.current = { calls: 0, failures: 0 };
      this.since += WINDOW_MS;
    }
    return this.current;
  }
}

export type BreakerState = 'closed' | 'open' | 'half-open';

/**
 * One per Forgejo instance. It opens when a temporary failure is confirmed by the probe (Forgejo does not answer its
 * version either), or when real calls keep failing while the version answers (an outage of the API routes only).
 * While open no job calls Forgejo, and the probe asks whether it answers again. When it does, the breaker goes
 * half-open: `onRecovered` releases the waiting jobs and their calls go through; when half of those fail again, it
 * re-opens at once, with a longer pause before the next release (one call of a repository that fails alone, among
 * others that pass, does not hold them all). A quiet `halfOpenMs` closes it for good.
 */
export class ForgejoBreaker {
  private state: BreakerState = 'closed';
  private openSince: number | null = null;
  /** releases that failed again in a row: each doubles the pause before the next */
  private level = 0;
  private readonly recent = new RecentCalls();
  private timer: NodeJS.Timeout | null = null;
  private halfOpenTimer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: BreakerOptions) {}

  get status(): BreakerState {
    return this.state;
  }

  /** Open: jobs wait. Half-open counts as closed, so that the failure of a released call is reported here. */
  get isOpen(): boolean {
    return this.state === 'open';
  }

  /**
   * Called before each job's calls: throws a temporary error (Bull backs off) instead of letting a job call a Forgejo
   * that is failing; else counts the call.
   */
  assertClosed(): void {
    if (this.state === 'open') {
      throw new TemporaryForgejoError(`Forgejo is not answering (since ${new Date(this.openSince!).toISOString()}): waiting for it to come back`);
    }
    this.recent.called();
  }

  /**
   * After a temporary failure of a real call. Half-open: do the released calls fail again (half of them, the first
   * one when it is alone)? Re-open. Closed: is it Forgejo as a whole (concurrent failures share one probe), or do its
   * calls keep failing? Then open.
   */
  async failed(): Promise<void> {
    if (this.state === 'open' || this.stopped) return;
    this.recent.failed();
    if (this.state === 'half-open') {
      if (this.recent.failing(1)) this.open('the released calls fail again', this.level + 1);
      return;
    }
    if (this.recent.failing(REPEATED_FAILURES)) return this.open(`${this.recent.failures} calls failed within ${WINDOW_MS / 60_000} minutes`, 0);
    this.checking ??= this.options
      .probe()
      .then(
        () => undefined,
        (error: Error) => this.open(error.message, 0),
      )
      .finally(() => (this.checking = null));
    await this.checking;
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private open(reason: string, level: number): void {
    if (this.state === 'open' || this.stopped) return;
    this.clearTimers();
    this.state = 'open';
    this.openSince ??= Date.now();
    this.level = Math.min(level, PAUSE_DOUBLINGS);
    this.recent.reset();
    this.options.log.warn({ reason, pauseMs: this.pauseMs() }, 'Forgejo is failing: jobs wait, probing GET /api/v1/version');
    this.scheduleProbe();
  }

  private pauseMs(): number {
    const { probeIntervalMs } = this.options;
    return Math.min(probeIntervalMs * 2 ** this.level, Math.max(probeIntervalMs, LONGEST_PAUSE_MS));
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probeOnce(), this.pauseMs());
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    try {
      await this.options.probe();
    } catch {
      return this.scheduleProbe();
    }
    if (this.stopped || this.state !== 'open') return;
    const downMs = Date.now() - (this.openSince ?? Date.now());
    this.state = 'half-open';
    this.halfOpenTimer = setTimeout(() => this.close(), this.options.halfOpenMs ?? 60_000);
    this.halfOpenTimer.unref();
    this.options.log.info({ downMs, releases: this.level + 1 }, 'Forgejo answers again: releasing the waiting jobs');
    try {
      await this.options.onRecovered();
    } catch (error) {
      this.options.log.warn({ reason: (error as Error).message }, 'could not release the waiting jobs: they come at their backoff');
    }
  }

  /** Half-open with no failure for `halfOpenMs`: it works again. */
  private close(): void {
    if (this.state !== 'half-open') return;
    this.state = 'closed';
    this.openSince = null;
    this.level = 0;
    this.halfOpenTimer = null;
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.halfOpenTimer) clearTimeout(this.halfOpenTimer);
    this.timer = null;
    this.halfOpenTimer = null;
  }
}
