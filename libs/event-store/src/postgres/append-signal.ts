import { EventEmitter } from 'node:events';
import pg from 'pg';

const CHANNEL = 'tb_events_appended';
const NOTIFY_EVERY_MS = 20;

/**
 * Wakes subscriptions when events are appended: at once in this process, and through LISTEN/NOTIFY in the
 * others. The NOTIFY goes out after the append has committed, in a statement of its own, at most one every
 * few milliseconds: inside the append it would make every committing writer wait on one queue lock.
 * Subscriptions still poll, so a lost notification only costs a poll interval.
 */
export class AppendSignal {
  private readonly local = new EventEmitter().setMaxListeners(0);
  private listener: pg.Client | null = null;
  private listening: Promise<void> | null = null;
  private notifyScheduled = false;
  private closed = false;
  // while Postgres is away, the next try to listen waits a little longer each time (subscriptions poll meanwhile)
  private failures = 0;
  private retryAt = 0;

  constructor(private readonly pool: pg.Pool) {}

  /** After a committed append. */
  appended(): void {
    this.local.emit('append');
    if (this.notifyScheduled || this.closed) return;
    this.notifyScheduled = true;
    setTimeout(() => {
      this.notifyScheduled = false;
      this.pool.query(`NOTIFY ${CHANNEL}`).catch(() => undefined);
    }, NOTIFY_EVERY_MS).unref();
  }

  /** Calls `wake` on the next append anywhere; returns the function that stops waiting. */
  onNext(wake: () => void): () => void {
    void this.listen();
    this.local.once('append', wake);
    return () => this.local.off('append', wake);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.local.removeAllListeners();
    const listener = this.listener;
    this.listener = null;
    await listener?.end().catch(() => undefined);
  }

  private listen(): Promise<void> {
    if (!this.listening && Date.now() < this.retryAt) return Promise.resolve();
    this.listening ??= (async () => {
      const client = new pg.Client(this.pool.options);
      client.on('notification', () => this.local.emit('append'));
      // a lost listener connection: polling carries on, and the next wait listens again
      client.on('error', () => {
        if (this.listener !== client) return;
        this.listener = null;
        this.listening = null;
        void client.end().catch(() => undefined);
      });
      try {
        await client.connect();
        await client.query(`LISTEN ${CHANNEL}`);
        this.failures = 0;
        if (this.closed) await client.end();
        else this.listener = client;
      } catch {
        this.retryAt = Date.now() + Math.min(5000, 100 * 2 ** this.failures++);
        this.listening = null;
        await client.end().catch(() => undefined);
      }
    })();
    return this.listening;
  }
}
