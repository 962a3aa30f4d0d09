import { TemporaryForgejoError } from '../client/forgejo-errors.js';

export interface BreakerOptions {
  /** GET /api/v1/version: resolves when Forgejo answers 2xx */
  probe: () => Promise<unknown>;
  probeIntervalMs: number;
  /** called once each time Forgejo answers again */
  onRecovered: () => Promise<void> | void;
  log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

/**
 * One per Forgejo instance. A temporary failure that a probe confirms (Forgejo does not answer its version
 * either) opens it; while open no job calls Forgejo, and a probe every `probeIntervalMs` asks whether it is back.
 * When it answers, the breaker closes and `onRecovered` releases the jobs that were waiting.
 */
export class ForgejoBreaker {
  private openSince: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;

  constructor(private readonly options: BreakerOptions) {}

  get isOpen(): boolean {
    return this.openSince !== null;
  }

  /** Throws a temporary error (Bull backs off) instead of letting a job call a Forgejo that is down. */
  assertClosed(): void {
    if (this.openSince !== null) {
      throw new TemporaryForgejoError(`Forgejo is not answering (since ${new Date(this.openSince).toISOString()}): waiting for it to come back`);
    }
  }

  /** After a temporary failure: is it Forgejo as a whole? Then open (concurrent failures share one probe). */
  async failed(): Promise<void> {
    if (this.openSince !== null || this.stopped) return;
    this.checking ??= this.options
      .probe()
      .then(
        () => undefined,
        (error: Error) => this.open(error),
      )
      .finally(() => (this.checking = null));
    await this.checking;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private open(error: Error): void {
    if (this.openSince !== null || this.stopped) return;
    this.openSince = Date.now();
    this.options.log.warn({ reason: error.message }, 'Forgejo is down: jobs wait, probing GET /api/v1/version');
    this.scheduleProbe();
  }

  private scheduleProbe(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.probeOnce(), this.options.probeIntervalMs);
    this.timer.unref();
  }

  private async probeOnce(): Promise<void> {
    try {
      await this.options.probe();
    } catch {
      return this.scheduleProbe();
    }
    const downMs = Date.now() - (this.openSince ?? Date.now());
    this.openSince = null;
    this.options.log.info({ downMs }, 'Forgejo answers again: releasing the waiting jobs');
    try {
      await this.options.onRecovered();
    } catch (error) {
      this.options.log.warn({ reason: (error as Error).message }, 'could not release the waiting jobs: they come at their backoff');
    }
  }
}
