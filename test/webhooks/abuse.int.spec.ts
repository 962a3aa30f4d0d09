import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { EVENT_STORE, type EventMetadata, type EventStore } from '../../libs/event-store/src/index.js';
import { ProjectionProgress } from '../../libs/projections/src/index.js';
import { TicketCommandRunner } from '../../libs/ticket-commands/src/ticket-commands.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { closedPayload, deliver, forgejoHeaders, streamOf } from './support.js';

/** An issues/closed payload from the repository `owner/name`. */
function closedFrom(owner: string, name: string, issueNumber: number): string {
  const payload = JSON.parse(closedPayload(issueNumber));
  payload.repository.owner.login = owner;
  payload.repository.name = name;
  payload.repository.full_name = `${owner}/${name}`;
  return JSON.stringify(payload);
}

describe('webhook abuse and other repositories', () => {
  let api: TestApi;
  let admin: string;
  let alice: { token: string };
  let slugs = 0;

  const newRepo = async () => {
    const slug = `abuse-${++slugs}`;
    await createRepo(api.url, admin, slug);
    return slug;
  };
  /** A ticket of `slug` linked to issue `issueNumber` of `owner/name`, as the worker records it. */
  const linked = async (slug: string, owner: string, name: string, issueNumber: number) => {
    const created = await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: slug, title: `t ${issueNumber}`, description: 'd' } });
    const metadata: EventMetadata = { actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() };
    await api.app.get(TicketCommandRunner).run(created.body.id, { type: 'LinkForgejoIssue', data: { issueNumber, owner, name, now: new Date().toISOString() } }, metadata);
    return created.body.id as string;
  };
  const send = (slug: string, body: string) => deliver(api.url, slug, body, forgejoHeaders('issues', 'issues', body));
  const statusOf = async (id: string) => (await call(api.url, 'GET', `/tickets/${id}`, { token: alice.token })).body.status;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', WEBHOOK_RATE_LIMIT: '20' });
    admin = await adminToken(api.url);
    alice = await newCustomer(api.url, 'alice');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('after 40 badly signed posts, a valid delivery still gets 200; the junk past its own budget gets 429', async () => {
    const slug = await newRepo();
    const ticketId = await linked(slug, 'acme', 'support-desk', 42);
    const body = closedPayload(42);
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      statuses.push((await deliver(api.url, slug, body, { ...forgejoHeaders('issues', 'issues', body), 'x-forgejo-signature': '0'.repeat(64) })).status);
    }
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses.slice(20)).toEqual(Array(20).fill(429));
    const real = await send(slug, body);
    expect(real.status).toBe(200);
    expect(real.body).toEqual({ result: 'closed' });
    expect(await statusOf(ticketId)).toBe('closed');
  });

  it('ignores a delivery from a repository that holds none of the slug’s tickets, and matches owner and name in any case', async () => {
    const slug = await newRepo();
    const ticketId = await linked(slug, 'acme', 'support-desk', 7);
    for (const [owner, name] of [['acme', 'other'], ['someone', 'support-desk']]) {
      const reply = await send(slug, closedFrom(owner, name, 7));
      expect({ owner, name, status: reply.status, body: reply.body }).toEqual({ owner, name, status: 200, body: { result: 'ignored' } });
    }
    expect((await streamOf(api, ticketId)).map((e) => e.type)).toEqual(['TicketCreated', 'ForgejoIssueLinked']);
    // a delivery with no usable repository (missing, or with control characters) names none of ours either
    const noRepository = JSON.parse(closedPayload(7));
    delete noRepository.repository;
    for (const body of [JSON.stringify(noRepository), closedFrom('ac\u0000me', 'support-desk', 7), closedFrom('acme\n', 'support-desk', 7)]) {
      const reply = await send(slug, body);
      expect({ status: reply.status, body: reply.body }).toEqual({ status: 200, body: { result: 'ignored' } });
    }
    expect(await statusOf(ticketId)).toBe('open');

    expect((await send(slug, closedFrom('ACME', 'Support-Desk', 7))).body).toEqual({ result: 'closed' });
    expect(await statusOf(ticketId)).toBe('closed');
  });

  it('after the slug moved to another repository, each repository’s delivery closes only its own ticket with that number', async () => {
    const slug = await newRepo();
    const old = await linked(slug, 'acme', 'support-desk', 1);
    expect((await call(api.url, 'PATCH', `/admin/repos/${slug}`, { token: admin, body: { owner: 'acme', name: 'new-desk' } })).status).toBe(200);
    const moved = await linked(slug, 'acme', 'new-desk', 1);

    expect((await send(slug, closedFrom('acme', 'new-desk', 1))).body).toEqual({ result: 'closed' });
    expect(await statusOf(moved)).toBe('closed');
    expect(await statusOf(old)).toBe('open');
    // numbers of the new repository that no ticket holds: the repository is the slug's, the issue is not
    expect((await send(slug, closedFrom('acme', 'new-desk', 2))).body).toEqual({ result: 'not_found' });
    expect((await send(slug, closedFrom('acme', 'support-desk', 1))).body).toEqual({ result: 'closed' });
    expect(await statusOf(old)).toBe('closed');
    expect((await send(slug, closedFrom('acme', 'elsewhere', 1))).body).toEqual({ result: 'ignored' });
  });

  it('treats a link recorded before the repository was kept as living in the slug’s current repository', async () => {
    const slug = await newRepo();
    const created = await call(api.url, 'POST', '/tickets', { token: alice.token, body: { repo: slug, title: 'legacy', description: 'd' } });
    const ticketId = created.body.id as string;
    // an older version's event: no owner, no name
    const metadata: EventMetadata = { actor: { type: 'system' }, correlationId: randomUUID(), causationId: randomUUID() };
    const { position } = await api.app
      .get<symbol, EventStore>(EVENT_STORE)
      .append(`ticket-${ticketId}`, [{ id: randomUUID(), type: 'ForgejoIssueLinked', data: { ticketId, issueNumber: 5, linkedAt: new Date().toISOString() }, metadata }], 0);
    await api.app.get(ProjectionProgress).waitFor(position, 10000);
    expect((await send(slug, closedFrom('acme', 'elsewhere', 5))).body).toEqual({ result: 'ignored' });
    expect(await statusOf(ticketId)).toBe('open');
    expect((await send(slug, closedFrom('Acme', 'support-desk', 5))).body).toEqual({ result: 'closed' });
    expect(await statusOf(ticketId)).toBe('closed');
  });
});
