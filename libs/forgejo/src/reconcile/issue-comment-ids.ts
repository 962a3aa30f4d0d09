import type { ForgejoClientOptions } from '../client/forgejo-client.js';
import { PermanentForgejoError, TemporaryForgejoError } from '../client/forgejo-errors.js';

/**
 * The ids of the comments an issue has now: GET /repos/{owner}/{repo}/issues/{index}/comments, every comment of
 * the issue in one answer (the endpoint has no pages). Null when the issue is gone (404). Errors as ForgejoClient's:
 * the network, a timeout, a 429 or a 5xx are temporary; any other 4xx permanent.
 */
export class IssueCommentIds {
  constructor(private readonly options: ForgejoClientOptions) {}

  async of(owner: string, repo: string, issueNumber: number): Promise<Set<number> | null> {
    const path = `/repos/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/issues/${issueNumber}/comments`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.options.token) headers.authorization = `token ${this.options.token}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${this.options.baseUrl}/api/v1${path}`, { headers, signal: AbortSignal.timeout(this.options.timeoutMs) });
      text = await response.text();
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `timed out after ${this.options.timeoutMs} ms` : (error as Error).message;
      throw new TemporaryForgejoError(`GET ${path}: ${reason}`);
    }
    if (response.ok) return new Set((JSON.parse(text) as Array<{ id: number }>).map((comment) => comment.id));
    if (response.status === 404) return null;
    const reason = `GET ${path}: ${response.status} ${text.slice(0, 300)}`;
    if (response.status === 429 || response.status >= 500) throw new TemporaryForgejoError(reason);
    throw new PermanentForgejoError(reason, response.status);
  }
}
