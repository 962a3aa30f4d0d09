import { fixture, forgejoHeaders, deliver, type Delivered } from '../webhooks/support.js';

/** An issue_comment delivery like Forgejo's (the fixture, with our issue, comment and text), signed. */
export function commentPayload(
  action: 'created' | 'edited' | 'deleted',
  { issueNumber, commentId, body, onPull = false, fullName }: { issueNumber: number; commentId: number; body: string; onPull?: boolean; fullName?: string },
): string {
  const name = onPull ? 'issue_comment-created-on-pull' : action === 'created' ? 'issue_comment-created' : `issue_comment-${action}`;
  const payload = JSON.parse(fixture(name as never).toString('utf8'));
  payload.action = action;
  payload.issue.number = issueNumber;
  payload.comment.id = commentId;
  payload.comment.body = body;
  if (fullName !== undefined) payload.comment.user.full_name = fullName;
  return JSON.stringify(payload, null, 2);
}

export const deliverComment = (baseUrl: string, slug: string, ...args: Parameters<typeof commentPayload>): Promise<Delivered> => {
  const body = commentPayload(...args);
  return deliver(baseUrl, slug, body, forgejoHeaders('issue_comment', args[1].onPull ? 'pull_request_comment' : 'issue_comment', body));
};
