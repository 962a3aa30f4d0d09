/**
 * Pure reading of a Forgejo (or Gitea) delivery: which headers carry what, what kind of event a payload is,
 * and whether it asks for a ticket to be closed. No I/O here.
 */

import type { ForgejoRepository } from '../../../read-models/src/index.js';
import type { ForgejoChange } from './forgejo-changes.js';

export type Headers = Record<string, string | string[] | undefined>;

const first = (headers: Headers, ...names: string[]): string | undefined => {
  for (const name of names) {
    const value = headers[name];
    if (typeof value === 'string' && value !== '') return value;
  }
  return undefined;
};

/** X-Forgejo-Signature, else X-Gitea-Signature (Gitea sends no X-Forgejo-* headers). Repeated headers count as wrong. */
export function signatureHeader(headers: Headers): string | undefined {
  return first(headers, 'x-forgejo-signature', 'x-gitea-signature');
}

// a delivery id goes into events: only a sane token (Forgejo sends a UUID v4)
const DELIVERY_ID = /^[\w.:-]{1,128}$/;

/** X-Forgejo-Delivery, else X-Gitea-Delivery, when it is a sane token; else null. */
export function deliveryIdOf(headers: Headers): string | null {
  const id = first(headers, 'x-forgejo-delivery', 'x-gitea-delivery');
  return id !== undefined && DELIVERY_ID.test(id) ? id : null;
}

/** The coarse event name: X-Forgejo-Event, else X-Gitea-Event, else what the payload's shape says. */
export function eventKindOf(headers: Headers, payload: unknown): string {
  const named = first(headers, 'x-forgejo-event', 'x-gitea-event');
  if (named !== undefined) return named.trim().toLowerCase();
  return eventKindFromShape(payload);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Forgejo's payload structs (modules/structs/hook.go): an IssueCommentPayload has a `comment` next to its `issue`
 * (and, on a pull request, a top-level `pull_request` too), a PullRequestPayload a top-level `pull_request`, an
 * IssuePayload an `issue` and an `action` only.
 */
export function eventKindFromShape(payload: unknown): string {
  if (!isObject(payload)) return 'unknown';
  if (isObject(payload.comment) && isObject(payload.issue)) return 'issue_comment';
  if (isObject(payload.pull_request)) return 'pull_request';
  if (isObject(payload.issue) && typeof payload.action === 'string') return 'issues';
  return 'unknown';
}

/** The repository a delivery says it comes from: owner login and name as sent (compared without regard to case). */
export type DeliveryRepository = ForgejoRepository;

// what a repository's owner or name can be; anything else (a NUL, a control character) names no repository of ours
const REPO_PART = /^[^\u0000-\u001f\u007f/]{1,255}$/;

/** The payload's `repository` (owner.login and name, else full_name), or null when it names none usable. */
export function repositoryOf(payload: unknown): DeliveryRepository | null {
  if (!isObject(payload) || !isObject(payload.repository)) return null;
  const repository = payload.repository;
  const login = isObject(repository.owner) ? repository.owner.login : undefined;
  let owner = typeof login === 'string' ? login : undefined;
  let name = typeof repository.name === 'string' ? repository.name : undefined;
  if ((owner === undefined || name === undefined) && typeof repository.full_name === 'string') {
    const parts = repository.full_name.split('/');
    if (parts.length === 2) [owner, name] = parts;
  }
  if (owner === undefined || name === undefined || !REPO_PART.test(owner) || !REPO_PART.test(name)) return null;
  return { owner, name };
}

export type DeliveredChange =
  | { kind: 'change'; change: ForgejoChange }
  | { kind: 'ignore'; reason: string }
  | { kind: 'invalid'; message: string };

const LOGIN = /^[^\u0000-\u001f\u007f]{1,255}$/;

const loginOf = (user: unknown): string | null => {
  const login = isObject(user) ? user.login : undefined;
  return typeof login === 'string' && LOGIN.test(login) ? login : null;
};

/**
 * What change a delivery tells of, for the inbound table: an `issues` event, or an `issue_comment` one. A pull
 * request never changes a ticket, whatever the headers claim: a top-level `pull_request`, an issue that is a
 * pull request, or `is_pull`, is ignored.
 */
export function changeOfDelivery(kind: string, payload: unknown): DeliveredChange {
  if (kind !== 'issues' && kind !== 'issue_comment') return { kind: 'ignore', reason: `event ${kind}` };
  if (!isObject(payload)) return { kind: 'ignore', reason: 'payload is not an object' };
  if (typeof payload.action !== 'string') return { kind: 'ignore', reason: 'no action' };
  if (isObject(payload.pull_request) || payload.is_pull === true) return { kind: 'ignore', reason: 'a pull request' };
  const issue = payload.issue;
  if (!isObject(issue)) return { kind: 'invalid', message: 'issue must be an object' };
  if (isObject(issue.pull_request)) return { kind: 'ignore', reason: 'a pull request' };
  const number = issue.number;
  if (typeof number !== 'number' || !Number.isSafeInteger(number) || number < 1 || number > 2_147_483_647) {
    return { kind: 'invalid', message: 'issue.number must be a positive integer' };
  }
  const repository = repositoryOf(payload);
  if (repository === null) return { kind: 'ignore', reason: 'no usable repository' };
  const base = { action: payload.action, repository, issueNumber: number, login: loginOf(payload.sender) };
  if (kind === 'issues') return { kind: 'change', change: { kind: 'issue', ...base } };
  const comment = payload.comment;
  if (!isObject(comment) || typeof comment.id !== 'number' || !Number.isSafeInteger(comment.id) || typeof comment.body !== 'string') {
    return { kind: 'invalid', message: 'comment must have a numeric id and a body' };
  }
  const user = isObject(comment.user) ? comment.user : {};
  const fullName = typeof user.full_name === 'string' && LOGIN.test(user.full_name) ? user.full_name : null;
  const authorName = fullName ?? loginOf(user) ?? 'the team';
  return { kind: 'change', change: { kind: 'comment', ...base, comment: { id: comment.id, body: comment.body, authorName } } };
}

/**
 * The bytes Forgejo signed: the raw body for `application/json`; for `application/x-www-form-urlencoded`, the
 * decoded JSON string of the `payload` field (Forgejo signs the JSON, not the form). Null when a form has no payload.
 */
export function signedBytesOf(rawBody: Buffer, contentType: string | undefined): Buffer | null {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') return rawBody;
  const payload = new URLSearchParams(rawBody.toString('utf8')).get('payload');
  return payload === null ? null : Buffer.from(payload, 'utf8');
}
