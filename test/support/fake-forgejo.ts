import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import AjvModule from 'ajv';

// Forgejo's own OpenAPI document, beside the repo in shared/: every request is checked against it.
const swagger = JSON.parse(readFileSync(fileURLToPath(new URL('../../../shared/forgejo/swagger.v1.json', import.meta.url)), 'utf8'));
const Ajv = ((AjvModule as unknown as { default?: typeof AjvModule }).default ?? AjvModule) as unknown as new (options: object) => {
  addSchema(schema: object, key: string): void;
  getSchema(ref: string): ((data: unknown) => boolean) & { errors?: unknown };
};
// formats (int64, date-time) are Go types here, not JSON Schema checks
const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: false, logger: false });
ajv.addSchema({ definitions: swagger.definitions }, 'forgejo');

interface Operation {
  parameters?: Array<{ name: string; in: string; schema?: { $ref: string } }>;
}

function findOperation(method: string, path: string): { template: string; operation: Operation } | null {
  for (const [template, operations] of Object.entries(swagger.paths as Record<string, Record<string, Operation>>)) {
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    if (pattern.test(path) && operations[method.toLowerCase()]) return { template, operation: operations[method.toLowerCase()] };
  }
  return null;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: any;
  at: number;
}

/** What the fake does with one create call: answer normally, fail, or create and then cut the connection. */
export type Behaviour =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'status'; status: number; headers?: Record<string, string>; message?: string }
  | { kind: 'create-then-drop' };

export interface FakeIssue {
  id: number;
  number: number;
  title: string;
  body: string;
  repo: string;
  state: 'open' | 'closed';
  closed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface FakeComment {
  id: number;
  issue: number;
  repo: string;
  body: string;
  created_at: string;
  /** set when a test edits the comment (else it is created_at) */
  updated_at?: string;
  /** who wrote it: the service's token when absent */
  user?: { login: string; full_name: string };
}

/**
 * An in-process Forgejo: issues and comments in memory, every request checked against swagger.v1.json (route,
 * query parameters, body schema, and no property the schema does not name) and against the token header.
 * Violations are collected in `violations`; tests assert it stays empty.
 */
export class FakeForgejo {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  readonly issues: FakeIssue[] = [];
  readonly comments: FakeComment[] = [];
  /** Decides each create call (issue or comment); default: answer at once. */
  behaviour: (kind: 'issue' | 'comment', attempt: number) => Behaviour = () => ({ kind: 'ok' });
  /** While true, every request (GET /version included) gets 503, as from a Forgejo that is down. */
  down = false;
  /**
   * Runs after an issue is committed and before the fake answers its create call (a test closes the issue, or
   * delivers a webhook, at that moment); the answer waits for it.
   */
  onIssueCreated: (issue: FakeIssue) => Promise<void> | void = () => undefined;
  private server: Server;
  private nextId = 1000;
  private attempts = { issue: 0, comment: 0 };
  url = '';

  constructor(readonly token: string) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as { port: number }).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Closes an issue as someone in Forgejo's UI would. */
  closeIssue(issue: FakeIssue): void {
    const now = new Date().toISOString();
    issue.state = 'closed';
    issue.closed_at = now;
    issue.updated_at = now;
  }

  /** Reopens an issue as someone in Forgejo's UI would (no webhook: the test sends one, or not). */
  reopenIssue(issue: FakeIssue): void {
    issue.state = 'open';
    issue.closed_at = null;
    issue.updated_at = new Date().toISOString();
  }

  /** A comment written in Forgejo by a team member (no webhook). */
  teamComment(issue: FakeIssue, body: string, user = { login: 'alice', full_name: 'Alice Team' }): FakeComment {
    const now = new Date().toISOString();
    const comment: FakeComment = { id: this.nextId++, issue: issue.number, repo: issue.repo, body, created_at: now, updated_at: now, user };
    this.comments.push(comment);
    return comment;
  }

  /** Edits a comment as its writer would in Forgejo's UI (no webhook). */
  editComment(comment: FakeComment, body: string): void {
    comment.body = body;
    comment.updated_at = new Date().toISOString();
  }

  /**
   * Deletes a comment (no webhook): it leaves every list, and its issue's updated_at moves, as in Forgejo (whose
   * DeleteComment updates the issue's num_comments, and xorm stamps its `updated` column with it).
   */
  deleteComment(comment: FakeComment): void {
    this.comments.splice(this.comments.indexOf(comment), 1);
    const issue = this.issues.find((i) => i.repo === comment.repo && i.number === comment.issue);
    if (issue) issue.updated_at = new Date().toISOString();
  }

  /** A comment as Forgejo's API shows it (Comment in swagger.v1.json). */
  private apiComment(comment: FakeComment): object {
    const { issue, repo, user, ...rest } = comment;
    return {
      ...rest,
      updated_at: comment.updated_at ?? comment.created_at,
      html_url: `${this.url}/${repo}/issues/${issue}#issuecomment-${comment.id}`,
      issue_url: `${this.url}/${repo}/issues/${issue}`,
      pull_request_url: '',
      user: { login: user?.login ?? 'ticket-bridge', full_name: user?.full_name ?? '' },
    };
  }

  /** Requests to `path` (without /api/v1) with `method`, in order. */
  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  creates(kind: 'issue' | 'comment'): RecordedRequest[] {
    return this.requests.filter((r) => r.method === 'POST' && (kind === 'issue' ? /\/issues$/.test(r.path) : /\/comments$/.test(r.path)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, 'http://fake');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const body = raw ? JSON.parse(raw) : undefined;
    const path = url.pathname.replace(/^\/api\/v1/, '');
    this.requests.push({ method: req.method!, path, query: url.searchParams, body, at: Date.now() });
    if (req.headers.authorization !== `token ${this.token}`) {
      this.violations.push(`${req.method} ${path}: Authorization header was ${req.headers.authorization ?? 'missing'}`);
      return this.send(res, 401, { message: 'token is required' });
    }
    const found = findOperation(req.method!, path);
    if (!found) {
      this.violations.push(`${req.method} ${path}: no such operation in swagger.v1.json`);
      return this.send(res, 404, { message: 'not found' });
    }
    this.check(found.operation, req.method!, path, url.searchParams, body);
    if (this.down) return this.send(res, 503, { message: 'fake Forgejo is down' });
    if (req.method === 'GET' && found.template === '/version') return this.send(res, 200, { version: '11.0.0-fake' });
    const segments = path.split('/');
    const repo = `${segments[2]}/${segments[3]}`;
    if (req.method === 'GET' && found.template === '/repos/{owner}/{repo}/issues') {
      const since = url.searchParams.get('since');
      const list = this.issues
        .filter((i) => i.repo === repo && (!since || i.updated_at >= since) && (!url.searchParams.get('before') || i.updated_at < url.searchParams.get('before')!))
        .sort((a, b) => (url.searchParams.get('sort') === 'leastupdate' ? a.updated_at.localeCompare(b.updated_at) || a.number - b.number : b.number - a.number));
      const limit = Number(url.searchParams.get('limit') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      return this.send(res, 200, list.slice((page - 1) * limit, page * limit));
    }
    if (req.method === 'GET' && found.template === '/repos/{owner}/{repo}/issues/comments') {
      const since = url.searchParams.get('since');
      const limit = Number(url.searchParams.get('limit') ?? 30);
      const page = Number(url.searchParams.get('page') ?? 1);
      const before = url.searchParams.get('before');
      const updated = (c: FakeComment) => c.updated_at ?? c.created_at;
      const list = this.comments.filter((c) => c.repo === repo && (!since || updated(c) >= since) && (!before || updated(c) < before)).sort((a, b) => a.id - b.id);
      return this.send(res, 200, list.slice((page - 1) * limit, page * limit).map((c) => this.apiComment(c)));
    }
    if (req.method === 'GET' && found.template === '/repos/{owner}/{repo}/issues/{index}') {
      const issue = this.issues.find((i) => i.repo === repo && i.number === Number(segments[5]));
      return issue ? this.send(res, 200, issue) : this.send(res, 404, { message: 'issue not found' });
    }
    if (req.method === 'GET' && found.template === '/repos/{owner}/{repo}/issues/{index}/comments') {
      return this.send(res, 200, this.comments.filter((c) => c.repo === repo && c.issue === Number(segments[5])));
    }
    if (req.method === 'PATCH' && found.template === '/repos/{owner}/{repo}/issues/{index}') {
      // EditIssueOption: only what is sent changes (the state here: open or closed)
      const issue = this.issues.find((i) => i.repo === repo && i.number === Number(segments[5]));
      if (!issue) return this.send(res, 404, { message: 'issue not found' });
      const now = new Date().toISOString();
      if (body?.state === 'closed' && issue.state !== 'closed') this.closeIssue(issue);
      if (body?.state === 'open') Object.assign(issue, { state: 'open', closed_at: null, updated_at: now });
      if (typeof body?.title === 'string') Object.assign(issue, { title: body.title, updated_at: now });
      if (typeof body?.body === 'string') Object.assign(issue, { body: body.body, updated_at: now });
      return this.send(res, 201, issue);
    }
    if (req.method === 'POST' && found.template === '/repos/{owner}/{repo}/issues') {
      return this.create(res, 'issue', () => {
        const now = new Date().toISOString();
        const issue: FakeIssue = {
          id: this.nextId++,
          number: this.issues.filter((i) => i.repo === repo).length + 1,
          title: body.title,
          body: body.body ?? '',
          repo,
          state: 'open',
          closed_at: null,
          created_at: now,
          updated_at: now,
        };
        this.issues.push(issue);
        return issue;
      }, (issue) => this.onIssueCreated(issue as FakeIssue));
    }
    if (req.method === 'POST' && found.template === '/repos/{owner}/{repo}/issues/{index}/comments') {
      const issue = Number(segments[5]);
      if (!this.issues.some((i) => i.repo === repo && i.number === issue)) return this.send(res, 404, { message: 'issue not found' });
      return this.create(res, 'comment', () => {
        const comment: FakeComment = { id: this.nextId++, issue, repo, body: body.body, created_at: new Date().toISOString() };
        this.comments.push(comment);
        return comment;
      });
    }
    this.send(res, 501, { message: 'not implemented by the fake' });
  }

  private async create(res: ServerResponse, kind: 'issue' | 'comment', make: () => object, created?: (made: object) => Promise<void> | void): Promise<void> {
    const behaviour = this.behaviour(kind, ++this.attempts[kind]);
    if (behaviour.kind === 'status') {
      for (const [name, value] of Object.entries(behaviour.headers ?? {})) res.setHeader(name, value);
      return this.send(res, behaviour.status, { message: behaviour.message ?? `fake ${behaviour.status}` });
    }
    const made = make();
    // the answer is what the create returned, before any later change
    const answer = { ...made };
    await created?.(made);
    if (behaviour.kind === 'create-then-drop') {
      res.socket?.destroy();
      return;
    }
    if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    this.send(res, 201, answer);
  }

  private check(operation: Operation, method: string, path: string, query: URLSearchParams, body: unknown): void {
    const declared = new Set((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of query.keys()) if (!declared.has(name)) this.violations.push(`${method} ${path}: undeclared query parameter ${name}`);
    const bodyParam = (operation.parameters ?? []).find((p) => p.in === 'body');
    if (!bodyParam) return;
    const definition = bodyParam.schema!.$ref.replace('#/definitions/', '');
    const validate = ajv.getSchema(`forgejo#/definitions/${definition}`);
    if (!validate(body)) this.violations.push(`${method} ${path}: body fails ${definition}: ${JSON.stringify(validate.errors)}`);
    const known = Object.keys(swagger.definitions[definition].properties ?? {});
    for (const key of Object.keys((body as object) ?? {})) {
      if (!known.includes(key)) this.violations.push(`${method} ${path}: ${definition} has no property ${key}`);
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }
}
