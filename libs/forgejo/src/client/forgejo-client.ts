import { PermanentForgejoError, TemporaryForgejoError } from './forgejo-errors.js';
import { carriesMarker } from './issue-bodies.js';

export interface ForgejoIssue {
  id: number;
  number: number;
  body: string;
  /** "open" or "closed" */
  state?: string;
  user?: { login?: string } | null;
}

export interface ForgejoComment {
  id: number;
  body: string;
}

/** An issue as the repository's issue list shows it. */
export interface ForgejoListedIssue {
  number: number;
  state: string;
  updated_at: string;
  pull_request?: unknown;
}

/** A comment as the repository's comment list shows it: `issue_url` ends with its issue's number ("" on a pull request). */
export interface ForgejoListedComment {
  id: number;
  body: string;
  issue_url?: string;
  pull_request_url?: string;
  created_at: string;
  updated_at: string;
  user?: { login?: string; full_name?: string } | null;
}

/** What a read-back list covers: changes since `since`, and before `before` when given. */
export interface ListWindow {
  since: Date;
  before?: Date;
}

const windowQuery = ({ since, before }: ListWindow): Record<string, string> =>
  before ? { since: since.toISOString(), before: before.toISOString() } : { since: since.toISOString() };

export interface ForgejoClientOptions {
  baseUrl: string;
  token: string | null;
  timeoutMs: number;
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** Forgejo's REST API on Node's fetch. Every call has the configured timeout; errors say whether to retry. */
export class ForgejoClient {
  constructor(private readonly options: ForgejoClientOptions) {}

  createIssue(owner: string, repo: string, issue: { title: string; body: string }): Promise<ForgejoIssue> {
    return this.call('POST', `/repos/${enc(owner)}/${enc(repo)}/issues`, issue);
  }

  createComment(owner: string, repo: string, issueNumber: number, body: string): Promise<ForgejoComment> {
    return this.call('POST', `/repos/${enc(owner)}/${enc(repo)}/issues/${issueNumber}/comments`, { body });
  }

  /** EditIssueOption: only what is sent changes (the service sends `state` alone). */
  editIssue(owner: string, repo: string, issueNumber: number, edit: { state: 'open' | 'closed' }): Promise<ForgejoIssue> {
    return this.call('PATCH', `/repos/${enc(owner)}/${enc(repo)}/issues/${issueNumber}`, edit);
  }

  getIssue(owner: string, repo: string, issueNumber: number): Promise<ForgejoIssue> {
    return this.call('GET', `/repos/${enc(owner)}/${enc(repo)}/issues/${issueNumber}`);
  }

  /** One page of the repository's issues (not pull requests) updated since `since` (and before `before`), least recently updated first. */
  listIssuesSince(owner: string, repo: string, window: ListWindow, page: number, limit: number): Promise<ForgejoListedIssue[]> {
    const query = new URLSearchParams({ state: 'all', type: 'issues', ...windowQuery(window), sort: 'leastupdate', page: String(page), limit: String(limit) });
    return this.call('GET', `/repos/${enc(owner)}/${enc(repo)}/issues?${query}`);
  }

  /** One page of the comments on all the repository's issues (and pull requests) updated since `since` (and before `before`). */
  listCommentsSince(owner: string, repo: string, window: ListWindow, page: number, limit: number): Promise<ForgejoListedComment[]> {
    const query = new URLSearchParams({ ...windowQuery(window), page: String(page), limit: String(limit) });
    return this.call('GET', `/repos/${enc(owner)}/${enc(repo)}/issues/comments?${query}`);
  }

  /** Forgejo's version: the cheapest call that says whether it answers at all. */
  version(): Promise<{ version?: string }> {
    return this.call('GET', '/version');
  }

  /**
   * The issue whose body ends with `marker`, if an earlier attempt created it. Lists without `q` (the indexer lags),
   * newest first, only issues updated since `since`.
   */
  async findIssue(owner: string, repo: string, marker: string, since: Date): Promise<ForgejoIssue | null> {
    for (let page = 1; page <= 20; page++) {
      const query = new URLSearchParams({ state: 'all', type: 'issues', since: since.toISOString(), limit: '50', page: String(page) });
      const issues = await this.call<ForgejoIssue[]>('GET', `/repos/${enc(owner)}/${enc(repo)}/issues?${query}`);
      const found = issues.find((issue) => carriesMarker(issue.body, marker));
      if (found) return found;
      if (issues.length < 50) return null;
    }
    return null;
  }

  /** The comment on an issue whose body ends with `marker`, if an earlier attempt created it. */
  async findComment(owner: string, repo: string, issueNumber: number, marker: string, since: Date): Promise<ForgejoComment | null> {
    const query = new URLSearchParams({ since: since.toISOString() });
    const comments = await this.call<ForgejoComment[]>('GET', `/repos/${enc(owner)}/${enc(repo)}/issues/${issueNumber}/comments?${query}`);
    return comments.find((comment) => carriesMarker(comment.body, marker)) ?? null;
  }

  /**
   * The ids of the comments an issue has now (the endpoint has no pages: every comment in one answer); null when
   * the issue is gone (404).
   */
  async commentIdsOf(owner: string, repo: string, issueNumber: number): Promise<Set<number> | null> {
    try {
      const comments = await this.call<ForgejoComment[]>('GET', `/repos/${enc(owner)}/${enc(repo)}/issues/${issueNumber}/comments`);
      return new Set(comments.map((comment) => comment.id));
    } catch (error) {
      if (error instanceof PermanentForgejoError && error.status === 404) return null;
      throw error;
    }
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `token ${this.options.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : describe(error);
      throw new TemporaryForgejoError(`${method} ${path}: ${reason}`);
    }
    const text = await response.text().catch((error) => {
      throw new TemporaryForgejoError(`${method} ${path}: ${describe(error)}`);
    });
    if (response.ok) return JSON.parse(text) as T;
    const reason = `${method} ${path}: ${response.status} ${messageOf(text)}`;
    if (response.status === 429 || response.status >= 500) {
      throw new TemporaryForgejoError(reason, retryAfterMs(response.headers.get('retry-after')));
    }
    throw new PermanentForgejoError(reason, response.status);
  }
}

const enc = encodeURIComponent;

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
}

function messageOf(text: string): string {
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === 'string') return message.slice(0, 300);
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
