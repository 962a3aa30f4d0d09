import { ForgejoClient, type ForgejoClientOptions } from '../client/forgejo-client.js';

/**
 * The ids of the comments an issue has now: GET /repos/{owner}/{repo}/issues/{index}/comments through the
 * ForgejoClient (its errors: the network, a timeout, a 429 or a 5xx are temporary; any other 4xx permanent). Null
 * when the issue is gone (404).
 */
export class IssueCommentIds {
  private readonly client: ForgejoClient;

  constructor(options: ForgejoClientOptions) {
    this.client = new ForgejoClient(options);
  }

  of(owner: string, repo: string, issueNumber: number): Promise<Set<number> | null> {
    return this.client.commentIdsOf(owner, repo, issueNumber);
  }
}
