import type pg from 'pg';

/**
 * The CRUD peer's plain tables, beside the service's in the bench database: repos by slug, and tickets as rows
 * (with the owner index a "my tickets" list needs, as the service's read model has) and their comments. Created at the peer's start.
 */
export async function createPeerTables(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS crud_repos (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      slug text NOT NULL UNIQUE,
      owner text NOT NULL,
      name text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE IF NOT EXISTS crud_tickets (
      id uuid PRIMARY KEY,
      owner_id uuid NOT NULL,
      repo text NOT NULL,
      title text NOT NULL,
      description text NOT NULL,
      status text NOT NULL DEFAULT 'open',
      forgejo_issue_number integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      updated_at timestamptz NOT NULL DEFAULT now(),
      closed_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS crud_tickets_owner ON crud_tickets (owner_id, created_at DESC);
    CREATE TABLE IF NOT EXISTS crud_comments (
      id uuid PRIMARY KEY,
      ticket_id uuid NOT NULL REFERENCES crud_tickets (id),
      body text NOT NULL,
      author text NOT NULL,
      author_name text,
      author_email text,
      forgejo_comment_id integer,
      created_at timestamptz NOT NULL DEFAULT now(),
      edited_at timestamptz
    );
    CREATE INDEX IF NOT EXISTS crud_comments_ticket ON crud_comments (ticket_id, created_at);
  `);
}
