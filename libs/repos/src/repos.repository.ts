import { randomUUID } from 'node:crypto';
import { ConflictException, Inject, Injectable, NotFoundException, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '../../database/src/index.js';
import { repoHasTickets } from '../../read-models/src/index.js';
import { RepoCache } from './repo-cache.js';
import { RepoChangeListener, REPOS_CHANGED_CHANNEL } from './repo-change-listener.js';

/** A repo as the service shows it: the webhook secret itself never leaves this file except by webhookSecretOf. */
export interface Repo {
  id: string;
  slug: string;
  /** Forgejo owner (user or organisation) of the repository. */
  owner: string;
  /** Forgejo repository name. */
  name: string;
  /** which Forgejo comments reach the customer as replies */
  replyMode: 'marked' | 'all';
  hasWebhookSecret: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewRepo {
  slug: string;
  owner: string;
  name: string;
  webhookSecret: string;
  replyMode?: 'marked' | 'all';
}

export interface RepoChanges {
  owner?: string;
  name?: string;
  webhookSecret?: string;
  replyMode?: 'marked' | 'all';
}

interface RepoRow {
  id: string;
  slug: string;
  owner: string;
  name: string;
  reply_mode: 'marked' | 'all';
  has_webhook_secret: boolean;
  created_at: Date;
  updated_at: Date;
}

// every column but the secret: a query that returns a repo cannot leak it by accident
const COLUMNS = `id, slug, owner, name, reply_mode, webhook_secret IS NOT NULL AS has_webhook_secret, created_at, updated_at`;

// byte order, not the database's locale: "a-b" < "a1" < "ab" everywhere, as in a plain JS sort
const BY_SLUG = `ORDER BY slug COLLATE "C"`;

// a change is announced in its own statement or transaction: every process hears it once it has committed
const ANNOUNCED = `SELECT changed.*, pg_notify('${REPOS_CHANGED_CHANNEL}', changed.slug) FROM changed`;

function toRepo(row: RepoRow): Repo {
  return {
    id: row.id,
    slug: row.slug,
    owner: row.owner,
    name: row.name,
    replyMode: row.reply_mode,
    hasWebhookSecret: row.has_webhook_secret,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * The `repos` table (migration 0003): admin CRUD, the customers' list and the webhook's secret lookup. Every
 * change is announced on REPOS_CHANGED_CHANNEL, which keeps the memory of findBySlugCached and webhookSecretOf
 * current in every process.
 */
@Injectable()
export class ReposRepository implements OnApplicationShutdown {
  private readonly changes: RepoChangeListener;
  private readonly cache: RepoCache<Repo>;
  // the webhook route's secrets, kept apart from the repos so that nothing that shows a repo can reach one
  private readonly secrets: RepoCache<string>;

  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {
    this.changes = new RepoChangeListener(
      pool.options,
      (slug) => this.forget(slug),
      () => [this.cache, this.secrets].forEach((cache) => cache.clear()),
    );
    this.cache = new RepoCache<Repo>(() => this.changes.listening);
    this.secrets = new RepoCache<string>(() => this.changes.listening);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.changes.close();
  }

  /** 409 when the slug is taken, also when two creates race (the unique key decides). */
  async create(repo: NewRepo): Promise<Repo> {
    const { rows } = await this.pool.query<RepoRow>(
      `WITH changed AS (
         INSERT INTO repos (id, slug, owner, name, webhook_secret, reply_mode) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (slug) DO NOTHING
         RETURNING ${COLUMNS})
       ${ANNOUNCED}`,
      [randomUUID(), repo.slug, repo.owner, repo.name, repo.webhookSecret, repo.replyMode ?? 'marked'],
    );
    if (rows.length === 0) throw new ConflictException(`slug "${repo.slug}" is taken`);
    this.forget(repo.slug);
    return toRepo(rows[0]!);
  }

  /** Every repo, ordered by slug. */
  async list(): Promise<Repo[]> {
    const { rows } = await this.pool.query<RepoRow>(`SELECT ${COLUMNS} FROM repos ${BY_SLUG}`);
    return rows.map(toRepo);
  }

  /** Every slug, ordered: what a ticket can be filed against. */
  async listSlugs(): Promise<string[]> {
    const { rows } = await this.pool.query<{ slug: string }>(`SELECT slug FROM repos ${BY_SLUG}`);
    return rows.map((row) => row.slug);
  }

  /** The repo, or null when no repo has that slug. */
  async findBySlug(slug: string): Promise<Repo | null> {
    const { rows } = await this.pool.query<RepoRow>(`SELECT ${COLUMNS} FROM repos WHERE slug = $1`, [slug]);
    return rows[0] ? toRepo(rows[0]) : null;
  }

  /**
   * findBySlug for request paths (POST /tickets): from memory while this process hears every change (see
   * RepoChangeListener), and for at most a few seconds. Background work that acts on a repo's owner and name reads
   * findBySlug instead.
   */
  async findBySlugCached(slug: string): Promise<Repo | null> {
    if (!this.changes.listening) void this.changes.listen();
    return this.cache.get(slug, (s) => this.findBySlug(s));
  }

  /** The repo, or 404. */
  async get(slug: string): Promise<Repo> {
    const repo = await this.findBySlug(slug);
    if (!repo) throw notFound(slug);
    return repo;
  }

  /**
   * Changes the given fields; absent ones keep their value. A new webhook secret overwrites the old one in
   * place: nothing keeps the old value. No field at all changes nothing (not even updatedAt). 404 when missing.
   */
  async update(slug: string, changes: RepoChanges): Promise<Repo> {
    const { owner, name, webhookSecret, replyMode } = changes;
    if (owner === undefined && name === undefined && webhookSecret === undefined && replyMode === undefined) return this.get(slug);
    const { rows } = await this.pool.query<RepoRow>(
      `WITH changed AS (
         UPDATE repos
            SET owner = COALESCE($2, owner),
                name = COALESCE($3, name),
                webhook_secret = COALESCE($4, webhook_secret),
                reply_mode = COALESCE($5, reply_mode),
                updated_at = now()
          WHERE slug = $1
         RETURNING ${COLUMNS})
       ${ANNOUNCED}`,
      [slug, owner ?? null, name ?? null, webhookSecret ?? null, replyMode ?? null],
    );
    this.forget(slug);
    if (rows.length === 0) throw notFound(slug);
    return toRepo(rows[0]!);
  }

  /** Deletes the repo and its secret. 404 when missing, 409 while any ticket is filed against it. */
  async delete(slug: string): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // the row lock makes two deletes, or a delete and an update, of one repo take turns
      const found = await client.query('SELECT 1 FROM repos WHERE slug = $1 FOR UPDATE', [slug]);
      if (found.rowCount === 0) throw notFound(slug);
      if (await repoHasTickets(client, slug)) throw new ConflictException(`repo "${slug}" has tickets`);
      await client.query('DELETE FROM repos WHERE slug = $1', [slug]);
      await client.query(`SELECT pg_notify('${REPOS_CHANGED_CHANNEL}', $1)`, [slug]);
      await client.query('COMMIT');
      this.forget(slug);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Which of the team's comments reach the customer; `marked` for a repo that is gone. From memory, as findBySlugCached. */
  async replyModeOf(slug: string): Promise<'marked' | 'all'> {
    return (await this.findBySlugCached(slug))?.replyMode ?? 'marked';
  }

  /**
   * For the Forgejo webhook route only: the repo's secret, or null when no repo has that slug; from memory while
   * every change is heard, as findBySlugCached (a new secret is taken at once in this process, within moments in
   * the others). Never log it.
   */
  async webhookSecretOf(slug: string): Promise<string | null> {
    if (!this.changes.listening) void this.changes.listen();
    return this.secrets.get(slug, async (s) => {
      const { rows } = await this.pool.query<{ webhook_secret: string }>({ name: 'repo_webhook_secret', text: 'SELECT webhook_secret FROM repos WHERE slug = $1', values: [s] });
      return rows[0]?.webhook_secret ?? null;
    });
  }

  private forget(slug: string): void {
    this.cache.forget(slug);
    this.secrets.forget(slug);
  }
}

function notFound(slug: string): NotFoundException {
  return new NotFoundException(`repo "${slug}" not found`);
}
