import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { signPayload } from '../../libs/forgejo/src/index.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import {
  closedPayload,
  deliver,
  deliverFixture,
  eventCount,
  FIXTURE_SECRET,
  FIXTURES,
  fixture,
  fixtureHeaders,
  forgejoHeaders,
  linkedTicket,
  streamOf,
  type FixtureName,
} from './support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('POST /webhooks/forgejo/:slug', () => {
  let api: TestApi;
  let admin: string;
  let alice: { token: string; id: string; email: string };
  let slugs = 0;

  /** A new repo (secret forgejo-fixture-secret), so that its issue #42 is free for a fresh ticket. */
  const newRepo = async () => {
    const slug = `desk-${++slugs}`;
    await createRepo(api.url, admin, slug);
    return slug;
  };
  const ticketOf = async (ticketId: string) => (await call(api.url, 'GET', `/tickets/${ticketId}`, { token: alice.token })).body;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000', WEBHOOK_RATE_LIMIT: '100000' });
    admin = await adminToken(api.url);
    alice = await newCustomer(api.url, 'alice');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('reads the fixtures as stored: their documented signatures are the HMAC of these exact bytes', () => {
    for (const [name, { signature }] of Object.entries(FIXTURES)) {
      const bytes = fixture(name as FixtureName);
      expect(bytes.at(-1)).not.toBe(0x0a); // no trailing newline, as Forgejo sends them
      expect(signPayload(bytes, FIXTURE_SECRET)).toBe(signature);
    }
  });

  it('gives each fixture its documented result, closing the ticket only on issues/closed', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    for (const name of ['issues-opened', 'issues-reopened', 'issue_comment-created', 'issue_comment-created-on-pull', 'pull_request-closed'] as const) {
      const reply = await deliverFixture(api.url, slug, name);
      expect({ name, status: reply.status, body: reply.body }).toEqual({ name, status: 200, body: { result: FIXTURES[name].result } });
    }
    expect((await ticketOf(ticketId)).status).toBe('open');
    expect((await streamOf(api, ticketId)).map((e) => e.type)).toEqual(['TicketCreated', 'ForgejoIssueLinked']);

    const deliveryId = randomUUID();
    const closed = await deliverFixture(api.url, slug, 'issues-closed', deliveryId);
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ result: 'closed' });
    expect(closed.headers.get('content-type')).toMatch(/^application\/json/);
    // visible to a GET as soon as the webhook has answered
    const ticket = await ticketOf(ticketId);
    expect(ticket.status).toBe('closed');
    expect(ticket.closedAt).toEqual(expect.any(String));

    const stream = await streamOf(api, ticketId);
    expect(stream.map((e) => e.type)).toEqual(['TicketCreated', 'ForgejoIssueLinked', 'IssueClosed']);
    expect(stream[2].data).toEqual({ ticketId, issueNumber: 42, closedBy: 'jdoe', deliveryId, closedAt: ticket.closedAt });
    expect(stream[2].metadata).toEqual({ actor: { type: 'forgejo', login: 'jdoe' }, correlationId: deliveryId, causationId: deliveryId, via: 'webhook' });

    const history = await call(api.url, 'GET', `/admin/tickets/${ticketId}/history`, { token: admin });
    if (history.status === 200) {
      expect(history.body.events.at(-1)).toMatchObject({ type: 'IssueClosed', metadata: { actor: { type: 'forgejo', login: 'jdoe' }, correlationId: deliveryId } });
    }

    const again = await deliverFixture(api.url, slug, 'issues-closed');
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ result: 'already_closed' });
    expect(await streamOf(api, ticketId)).toHaveLength(3);
  });

  it('answers not_found for an issue that no ticket of this repo is linked to', async () => {
    const slug = await newRepo();
    const other = await newRepo();
    // #42 of another repo is another issue
    const elsewhere = await linkedTicket(api, alice.token, other, 42);
    await linkedTicket(api, alice.token, slug, 7);
    const before = await eventCount(api);
    const reply = await deliverFixture(api.url, slug, 'issues-closed');
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ result: 'not_found' });
    expect((await ticketOf(elsewhere)).status).toBe('open');
    expect(await eventCount(api)).toBe(before);
  });

  it('without event headers, goes by the payload’s shape: a pull request never closes a ticket', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const signatureOnly = (name: FixtureName) => ({ 'content-type': 'application/json', 'x-forgejo-signature': FIXTURES[name].signature });
    for (const name of ['pull_request-closed', 'issue_comment-created', 'issue_comment-created-on-pull', 'issues-reopened'] as const) {
      const reply = await deliver(api.url, slug, fixture(name), signatureOnly(name));
      // a reopened echo on an open ticket changes nothing; the rest is not for a ticket at all
      const result = name === 'issues-reopened' ? 'already_open' : 'ignored';
      expect({ name, status: reply.status, body: reply.body }).toEqual({ name, status: 200, body: { result } });
    }
    // a pull request labelled as an issues event is still a pull request
    const mislabelled = await deliver(api.url, slug, fixture('pull_request-closed'), forgejoHeaders('issues', 'issues', fixture('pull_request-closed')));
    expect(mislabelled.body).toEqual({ result: 'ignored' });
    expect((await ticketOf(ticketId)).status).toBe('open');

    const closed = await deliver(api.url, slug, fixture('issues-closed'), signatureOnly('issues-closed'));
    expect(closed.status).toBe(200);
    expect(closed.body).toEqual({ result: 'closed' });
    const [, , event] = await streamOf(api, ticketId);
    // no delivery id: the request id correlates, and a fresh id is the cause
    expect(event.data.deliveryId).toBeNull();
    expect(event.metadata).toEqual({ actor: { type: 'forgejo', login: 'jdoe' }, correlationId: expect.any(String), causationId: expect.stringMatching(UUID), via: 'webhook' });
  });

  it('accepts Gitea’s headers (X-Gitea-Signature, -Event, -Delivery) when no X-Forgejo-* header is sent', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const deliveryId = randomUUID();
    const gitea = Object.fromEntries(Object.entries(fixtureHeaders('issues-closed', deliveryId)).filter(([name]) => !name.startsWith('x-forgejo-')));
    const reply = await deliver(api.url, slug, fixture('issues-closed'), gitea);
    expect(reply.body).toEqual({ result: 'closed' });
    expect((await streamOf(api, ticketId))[2].data.deliveryId).toBe(deliveryId);
  });

  it('accepts the form content type: the signature covers the JSON in its payload field', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const json = fixture('issues-closed');
    const headers = { ...fixtureHeaders('issues-closed'), 'content-type': 'application/x-www-form-urlencoded' };
    const reply = await deliver(api.url, slug, `payload=${encodeURIComponent(json.toString('utf8'))}`, headers);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ result: 'closed' });
    expect((await ticketOf(ticketId)).status).toBe('closed');
  });

  it('answers 404 for an unknown slug, signed or not', async () => {
    for (const headers of [fixtureHeaders('issues-closed'), { 'content-type': 'application/json' }]) {
      const reply = await deliver(api.url, 'no-such-repo', fixture('issues-closed'), headers);
      expect(reply.status).toBe(404);
      expect(reply.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    }
  });

  it('answers 401 to a missing, wrong or malformed signature, and changes nothing', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const body = fixture('issues-closed');
    const good = FIXTURES['issues-closed'].signature;
    const base = { 'content-type': 'application/json', 'x-forgejo-event': 'issues', 'x-forgejo-delivery': randomUUID() };
    const cases: Record<string, Record<string, string>> = {
      'no signature': base,
      'empty signature': { ...base, 'x-forgejo-signature': '' },
      'another body’s signature': { ...base, 'x-forgejo-signature': FIXTURES['issues-opened'].signature },
      'another secret': { ...base, 'x-forgejo-signature': signPayload(body, 'not-the-secret') },
      'one hex digit short': { ...base, 'x-forgejo-signature': good.slice(0, -1) },
      'one hex digit more': { ...base, 'x-forgejo-signature': `${good}0` },
      'not hex': { ...base, 'x-forgejo-signature': `${good.slice(0, -2)}zz` },
      'sha256= prefix': { ...base, 'x-forgejo-signature': `sha256=${good}` },
      'only X-Hub-Signature-256': { ...base, 'x-hub-signature-256': `sha256=${good}` },
      'wrong Forgejo, right Gitea': { ...base, 'x-forgejo-signature': signPayload(body, 'nope'), 'x-gitea-signature': good },
      'bearer token instead': { ...base, authorization: `Bearer ${alice.token}` },
    };
    const before = await eventCount(api);
    for (const [label, headers] of Object.entries(cases)) {
      const reply = await deliver(api.url, slug, body, headers);
      expect({ label, status: reply.status, body: reply.body }).toEqual({
        label,
        status: 401,
        body: { statusCode: 401, error: 'Unauthorized', message: expect.any(String) },
      });
    }
    // unsigned garbage is 401 too, never a parser's 400
    for (const garbage of ['not json', '{"action":', '']) {
      expect((await deliver(api.url, slug, garbage, { ...base, 'x-forgejo-signature': good })).status).toBe(401);
    }
    expect(await eventCount(api)).toBe(before);
    expect((await ticketOf(ticketId)).status).toBe('open');
  });

  it('answers 400 to a correctly signed body that is not JSON', async () => {
    const slug = await newRepo();
    for (const body of ['not json', '{"action": "closed", "issue": {"number": 42}', '']) {
      const reply = await deliver(api.url, slug, body, forgejoHeaders('issues', 'issues', body));
      expect({ body, status: reply.status }).toEqual({ body, status: 400 });
      expect(reply.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
    }
  });

  it('accepts bodies up to 1 MiB (a 600 KB issue body closes its ticket) and refuses larger ones with 413', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const big = closedPayload(42, { body: 'Stack trace follows. '.repeat(30_000) });
    expect(Buffer.byteLength(big)).toBeGreaterThan(600_000);
    expect(Buffer.byteLength(big)).toBeLessThan(1024 * 1024);
    const reply = await deliver(api.url, slug, big, forgejoHeaders('issues', 'issues', big));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ result: 'closed' });
    expect((await ticketOf(ticketId)).status).toBe('closed');

    const tooBig = closedPayload(43, { body: 'x'.repeat(1024 * 1024) });
    const refused = await deliver(api.url, slug, tooBig, forgejoHeaders('issues', 'issues', tooBig));
    expect(refused.status).toBe(413);
  });

  it('closes once when one delivery arrives 10 times at once, and a redelivery with a new id changes nothing', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const deliveryId = randomUUID();
    const replies = await Promise.all(Array.from({ length: 10 }, () => deliverFixture(api.url, slug, 'issues-closed', deliveryId)));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    const results = replies.map((r) => r.body.result).sort();
    expect(results).toEqual([...Array(9).fill('already_closed'), 'closed']);
    // every answer came after the close was visible
    expect((await ticketOf(ticketId)).status).toBe('closed');

    // Forgejo's manual redelivery sends the same body under a new delivery id
    const redelivery = await deliverFixture(api.url, slug, 'issues-closed', randomUUID());
    expect(redelivery.body).toEqual({ result: 'already_closed' });
    const closes = (await streamOf(api, ticketId)).filter((e) => e.type === 'IssueClosed');
    expect(closes).toHaveLength(1);
    expect(closes[0].data.deliveryId).toBe(deliveryId);
  });

  it('answers 401 to each of 1,000 single-byte mutations of a signed body, appending nothing', async () => {
    const slug = await newRepo();
    const ticketId = await linkedTicket(api, alice.token, slug, 42);
    const original = fixture('issues-closed');
    const headers = fixtureHeaders('issues-closed');
    // a seeded generator: the same 1,000 mutations every run
    let seed = 0x5eed;
    const random = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const mutations = Array.from({ length: 1000 }, () => {
      const mutated = Buffer.from(original);
      const at = random(mutated.length);
      mutated[at] = (mutated[at] + 1 + random(255)) % 256; // always a different byte
      return mutated;
    });
    const before = await eventCount(api);
    const statuses: number[] = [];
    const queue = [...mutations];
    await Promise.all(
      Array.from({ length: 20 }, async () => {
        for (let body = queue.shift(); body; body = queue.shift()) statuses.push((await deliver(api.url, slug, body, headers)).status);
      }),
    );
    expect(statuses).toHaveLength(1000);
    expect(statuses.filter((s) => s !== 401)).toEqual([]);
    expect(await eventCount(api)).toBe(before);
    expect((await ticketOf(ticketId)).status).toBe('open');
    // and the unmutated body still closes it
    expect((await deliver(api.url, slug, original, headers)).body).toEqual({ result: 'closed' });
  });
});

describe('webhook rate limit (WEBHOOK_RATE_LIMIT per slug)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, WEBHOOK_RATE_LIMIT: '3' });
    const admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'busy');
    await createRepo(api.url, admin, 'quiet');
  });
  afterAll(async () => {
    await api?.close();
  });

  it('answers 429 with Retry-After past the limit of one slug, leaving other slugs alone', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await deliverFixture(api.url, 'busy', 'issues-opened')).status);
    expect(statuses).toEqual([200, 200, 200]);
    const limited = await deliverFixture(api.url, 'busy', 'issues-opened');
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    expect((await deliverFixture(api.url, 'quiet', 'issues-opened')).status).toBe(200);
    // a bad signature counts against a budget of its own: 401 while real deliveries are over theirs
    const body = fixture('issues-opened');
    const unsigned = { ...fixtureHeaders('issues-opened'), 'x-forgejo-signature': '0'.repeat(64), 'x-gitea-signature': '0'.repeat(64) };
    expect((await deliver(api.url, 'busy', body, unsigned)).status).toBe(401);
    // an unknown slug is 404, and never takes a share of anyone's limit
    expect((await deliverFixture(api.url, 'nobody', 'issues-opened')).status).toBe(404);
  });
});
