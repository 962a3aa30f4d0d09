import pg from 'pg';

/** The NOTIFY channel a repo's create, update or delete is announced on; the payload is its slug. */
export const REPOS_CHANGED_CHANNEL = 'tb_repos_changed';

/**
 * Hears, through LISTEN on a connection of its own, the slugs of repos changed by any process on the database.
 * Connected lazily and again after a loss (waiting a little longer after each failure); `listening` says whether
 * a change made now would be heard, so a cache can trust itself only while it is true.
 */
export class RepoChangeListener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private closed = false;
  private failures = 0;
  private retryAt = 0;

  constructor(
    private readonly connection: pg.ClientConfig,
    /** a slug changed somewhere */
    private readonly changed: (slug: string) => void,
    /** the connection was lost or (re)made: changes may have gone unheard */
    private readonly unsure: () => void,
  ) {}

  get listening(): boolean {
    return this.client !== null;
  }

  /** Starts listening unless it does or a recent failure says to wait; never throws. */
  listen(): Promise<void> {
    if (this.client || this.closed || (!this.connecting && Date.now() < this.retryAt)) return this.connecting ?? Promise.resolve();
    this.connecting ??= (async () => {
      const client = new pg.Client(this.connection);
      client.on('notification', (message) => {
        if (message.channel === REPOS_CHANGED_CHANNEL && message.payload) this.changed(message.payload);
      });
      const lost = () => {
        if (this.client !== client) return;
        this.client = null;
        this.unsure();
        void client.end().catch(() => undefined);
      };
      client.on('error', lost);
      client.on('end', lost);
      try {
        await client.connect();
        await client.query(`LISTEN ${REPOS_CHANGED_CHANNEL}`);
        this.failures = 0;
        if (this.closed) {
          await client.end();
        } else {
          // whatever changed before this moment went unheard
          this.unsure();
          this.client = client;
        }
      } catch {
        this.retryAt = Date.now() + Math.min(5000, 100 * 2 ** this.failures++);
        await client.end().catch(() => undefined);
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await this.connecting;
    await client?.end().catch(() => undefined);
  }
}
