import pg from 'pg';

/** A request never waits longer than this for a pooled connection, nor a statement longer than the next. */
export const CONNECT_TIMEOUT_MS = 5_000;
export const STATEMENT_TIMEOUT_MS = 30_000;

const ignore = () => undefined;

/** Where Nest keeps the pool: `@Inject(PG_POOL)`. */
export const PG_POOL = Symbol('PG_POOL');

// int8 columns (positions, revisions) arrive as strings by default; callers convert to bigint where needed.
export function createPool(databaseUrl: string, max = 20): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    idleTimeoutMillis: 30000,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', ignore);
  // Nor a checked-out one (a projection's dedicated client, a transaction in hand): its next query fails
  // instead, and a client released broken is destroyed by the pool, never handed out again.
  pool.on('connect', (client) => client.on('error', ignore));
  return pool;
}

/** A client of its own (not pooled) that never crashes the process on a lost connection; its queries fail instead. */
export function createClient(config: string | pg.ClientConfig): pg.Client {
  const client = new pg.Client(config);
  client.on('error', ignore);
  return client;
}

export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    // a client whose ROLLBACK failed is in an unknown state: the pool destroys it rather than reuse it
    client.release(broken);
  }
}
