import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EventMetadata } from '../../libs/event-store/src/index.js';
import { TicketCommandRunner } from '../../libs/ticket-commands/src/ticket-commands.js';
import { signPayload } from '../../libs/forgejo/src/index.js';
import type { TestApi } from '../support/api.js';
import { call } from '../support/http.js';
import { repoRoot } from '../support/processes.js';

/** The shared Forgejo reference data: ../shared/forgejo/webhooks beside this repo (FORGEJO_FIXTURES_DIR overrides). */
export const FIXTURES_DIR = process.env.FORGEJO_FIXTURES_DIR ?? join(repoRoot, '..', 'shared', 'forgejo', 'webhooks');
export const FIXTURE_SECRET = 'forgejo-fixture-secret';

export type FixtureName =
  | 'issues-opened'
  | 'issues-closed'
  | 'issues-reopened'
  | 'issue_comment-created'
  | 'issue_comment-created-on-pull'
  | 'pull_request-closed';

/** README.md of the fixtures: each file's event headers, its test signature, and what the webhook answers. */
export const FIXTURES: Record<FixtureName, { event: string; eventType: string; signature: string; result: string }> = {
  'issues-opened': { event: 'issues', eventType: 'issues', signature: '0b1bf55fa649968fe0dfce842d0092fb25d842be3ff95782993f1a80b79d4eae', result: 'ignored' },
  'issues-closed': { event: 'issues', eventType: 'issues', signature: 'b98e965843c6cd7e1fc525664bfc7598f6bb8d43a5e2b168d92f41d4cbb45ea2', result: 'closed' },
  'issues-reopened': { event: 'issues', eventType: 'issues', signature: '6b5e330b29199a5a7f41eba09f470d2f38cb055dbd37e8a412235b136b7aab7b', result: 'already_open' },
  'issue_comment-created': {
    event: 'issue_comment',
    eventType: 'issue_comment',
    signature: '5bb85d68f65c039f1783275b8269591d6c0280005c5c55ed5c5a8ba84b1cabf7',
    result: 'ignored',
  },
  'issue_comment-created-on-pull': {
    event: 'issue_comment',
    eventType: 'pull_request_comment',
    signature: 'bf34d0033b768e52af23e8f67f3728fb4448a914f185bdc27981adfabff4aa97',
    result: 'ignored',
  },
  'pull_request-closed': {
    event: 'pull_request',
    eventType: 'pull_request',
    signature: '7b0670d9b85b6606f271f04dac977c82ae890f1035e3c95e294bda02346ce4a9',
    result: 'ignored',
  },
};

/** A fixture's exact bytes, as stored (never re-serialised: the signature covers these bytes). */
export function fixture(name: FixtureName): Buffer {
  return readFileSync(join(FIXTURES_DIR, `${name}.json`));
}

/** Every header Forgejo sends with a delivery of a `forgejo` hook (services/webhook/shared/payloader.go). */
export function forgejoHeaders(event: string, eventType: string, body: Buffer | string, deliveryId: string = randomUUID(), secret = FIXTURE_SECRET): Record<string, string> {
  const signature = signPayload(body, secret);
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` };
  for (const vendor of ['Forgejo', 'Gitea', 'Gogs']) {
    headers[`x-${vendor.toLowerCase()}-delivery`] = deliveryId;
    headers[`x-${vendor.toLowerCase()}-event`] = event;
    headers[`x-${vendor.toLowerCase()}-event-type`] = eventType;
    headers[`x-${vendor.toLowerCase()}-signature`] = signature;
  }
  headers['x-github-delivery'] = deliveryId;
  headers['x-github-event'] = event;
  headers['x-github-event-type'] = eventType;
  return headers;
}

export function fixtureHeaders(name: FixtureName, deliveryId: string = randomUUID()): Record<string, string> {
  const { event, eventType } = FIXTURES[name];
  return forgejoHeaders(event, eventType, fixture(name), deliveryId);
}

export interface Delivered {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** POSTs the exact bytes to /webhooks/forgejo/:slug with exactly the given headers. */
export async function deliver(baseUrl: string, slug: string, body: Buffer | string, headers: Record<string, string>): Promise<Delivered> {
  const response = await fetch(`${baseUrl}/webhooks/forgejo/${slug}`, { method: 'POST', headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed, text, headers: response.headers };
}

export const deliverFixture = (baseUrl: string, slug: string, name: FixtureName, deliveryId?: string) =>
  deliver(baseUrl, slug, fixture(name), fixtureHeaders(name, deliveryId));

/** A ticket of `token`'s customer in repo `slug`, linked to Forgejo issue `issueNumber` (read model updated). */
export async function linkedTicket(api: TestApi, token: string, slug: string, issueNumber: number, title = 'Printer on fire'): Promise<string> {
  const created = await call(api.url, 'POST', '/tickets', { token, body: { repo: slug, title, description: 'It really is.' } });
  if (created.status !== 201) throw new Error(`ticket create failed: ${created.status} ${created.text}`);
  const ticketId: string = created.body.id;
  const metadata: EventMetadata = { actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() };
  await api.app.get(TicketCommandRunner).run(ticketId, { type: 'LinkForgejoIssue', data: { issueNumber, owner: 'acme', name: 'support-desk', now: new Date().toISOString() } }, metadata);
  return ticketId;
}

/** An issues/closed payload like Forgejo's, for an issue of our choosing (sign it with forgejoHeaders). */
export function closedPayload(issueNumber: number, { login = 'jdoe', body = 'closing' }: { login?: string; body?: string } = {}): string {
  const template = JSON.parse(fixture('issues-closed').toString('utf8'));
  template.number = issueNumber;
  template.issue.number = issueNumber;
  template.issue.body = body;
  template.sender.login = login;
  return JSON.stringify(template, null, 2);
}

export async function streamOf(api: TestApi, ticketId: string): Promise<{ revision: number; id: string; type: string; data: any; metadata: any }[]> {
  const { rows } = await api.db.pool.query('SELECT revision, event_id AS id, type, data, metadata FROM events WHERE stream_id = $1 ORDER BY revision', [
    `ticket-${ticketId}`,
  ]);
  return rows;
}

export async function eventCount(api: TestApi): Promise<number> {
  return Number((await api.db.pool.query('SELECT count(*) FROM events')).rows[0].count);
}
