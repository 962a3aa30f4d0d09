import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call as request, newCustomer, type Reply } from '../support/http.js';

const BASE_URL = 'https://tickets.example.com';

describe('repos: /admin/repos and /repos', () => {
  let api: TestApi;
  let admin: string;
  let customer: string;
  // every response text of the file: no webhook secret may appear in any of them
  const seen: string[] = [];
  const secrets: string[] = [];

  const secret = () => {
    const value = `whsec-${randomUUID()}`;
    secrets.push(value);
    return value;
  };

  /** Every request of the file goes through here, so that the last test can search every response. */
  async function call(method: string, path: string, options: { token?: string; body?: unknown } = {}): Promise<Reply> {
    const reply = await request(api.url, method, path, options);
    seen.push(reply.text);
    return reply;
  }

  const asAdmin = (method: string, path: string, options: { body?: unknown } = {}) =>
    call(method, path, { ...options, token: admin });

  async function createRepo(slug: string, overrides: Record<string, unknown> = {}): Promise<Reply> {
    return asAdmin('POST', '/admin/repos', {
      body: { slug, owner: 'acme', name: `${slug}-service`, webhookSecret: secret(), ...overrides },
    });
  }

  async function secretInDb(slug: string): Promise<string | undefined> {
    const { rows } = await api.db.pool.query('SELECT webhook_secret FROM repos WHERE slug = $1', [slug]);
    return rows[0]?.webhook_secret;
  }

  const repoCount = async () => Number((await api.db.pool.query('SELECT count(*) FROM repos')).rows[0].count);

  beforeAll(async () => {
    api = await startTestApi({ BASE_URL, ...adminEnv });
    admin = await adminToken(api.url);
    customer = (await newCustomer(api.url, 'repos')).token;
  });

  afterAll(async () => {
    await api?.close();
  });

  describe('POST /admin/repos', () => {
    it('creates a repo: 201 with its webhook URL under BASE_URL and no secret', async () => {
      const webhookSecret = secret();
      const reply = await asAdmin('POST', '/admin/repos', {
        body: { slug: 'billing', owner: 'acme', name: 'billing-service', webhookSecret },
      });
      expect(reply.status).toBe(201);
      expect(reply.body).toEqual({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        slug: 'billing',
        owner: 'acme',
        name: 'billing-service',
        replyMode: 'marked',
        webhookUrl: 'https://tickets.example.com/webhooks/forgejo/billing',
        hasWebhookSecret: true,
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
      });
      expect(new Date(reply.body.createdAt).toISOString()).toBe(reply.body.createdAt);
      expect(reply.text).not.toContain(webhookSecret);
      expect(reply.text).not.toMatch(/secret"\s*:\s*"/i); // hasWebhookSecret is a boolean
      expect(await secretInDb('billing')).toBe(webhookSecret);
    });

    it('accepts the longest slug and Forgejo names with dots, dashes and underscores', async () => {
      const slug = `0${'a'.repeat(61)}-`;
      expect(slug).toHaveLength(63);
      const reply = await createRepo(slug, { owner: 'My.Org_1', name: `${'r'.repeat(99)}.` });
      expect(reply.status).toBe(201);
      expect(reply.body.owner).toBe('My.Org_1');
      expect(reply.body.webhookUrl).toBe(`${BASE_URL}/webhooks/forgejo/${slug}`);
      expect((await asAdmin('DELETE', `/admin/repos/${slug}`)).status).toBe(204);
    });

    it('is 409 when the slug is taken, and keeps the first repo as it was', async () => {
      const first = await createRepo('dup-check');
      expect(first.status).toBe(201);
      const before = await secretInDb('dup-check');
      const again = await createRepo('dup-check', { owner: 'other' });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('dup-check') });
      expect(await secretInDb('dup-check')).toBe(before);
      expect((await asAdmin('GET', '/admin/repos/dup-check')).body.owner).toBe('acme');
    });

    it('gives exactly one 201 when the same slug is created at once many times', async () => {
      const replies = await Promise.all(Array.from({ length: 8 }, () => createRepo('raced')));
      expect(replies.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409, 409, 409]);
      expect(Number((await api.db.pool.query(`SELECT count(*) FROM repos WHERE slug = 'raced'`)).rows[0].count)).toBe(1);
    });

    const valid = () => ({ slug: 'valid-slug', owner: 'acme', name: 'svc', webhookSecret: secret() });
    const badInputs: Array<[string, Record<string, unknown>, string]> = [
      ['an uppercase slug', { ...valid(), slug: 'Billing' }, 'slug'],
      ['a slug with a leading dash', { ...valid(), slug: '-billing' }, 'slug'],
      ['a slug of 64 characters', { ...valid(), slug: 'a'.repeat(64) }, 'slug'],
      ['an empty slug', { ...valid(), slug: '' }, 'slug'],
      ['a slug with a slash', { ...valid(), slug: 'a/b' }, 'slug'],
      ['a slug that is not a string', { ...valid(), slug: 42 }, 'slug'],
      ['a missing slug', { owner: 'acme', name: 'svc', webhookSecret: secret() }, 'slug'],
      ['a missing owner', { slug: 'valid-slug', name: 'svc', webhookSecret: secret() }, 'owner'],
      ['an empty owner', { ...valid(), owner: '' }, 'owner'],
      ['an owner "."', { ...valid(), owner: '.' }, 'owner'],
      ['an owner ".."', { ...valid(), owner: '..' }, 'owner'],
      ['an owner with a slash', { ...valid(), owner: 'acme/x' }, 'owner'],
      ['an owner with a space', { ...valid(), owner: 'ac me' }, 'owner'],
      ['a name of 101 characters', { ...valid(), name: 'n'.repeat(101) }, 'name'],
      ['a null name', { ...valid(), name: null }, 'name'],
      ['a missing webhookSecret', { slug: 'valid-slug', owner: 'acme', name: 'svc' }, 'webhookSecret'],
      ['an empty webhookSecret', { ...valid(), webhookSecret: '' }, 'webhookSecret'],
      ['a webhookSecret of 1025 characters', { ...valid(), webhookSecret: 'x'.repeat(1025) }, 'webhookSecret'],
      ['an unknown property', { ...valid(), repoId: 7 }, 'repoId'],
    ];
    it.each(badInputs)('is 400 naming the field for %s, and creates nothing', async (_, body, field) => {
      const before = await repoCount();
      const reply = await asAdmin('POST', '/admin/repos', { body });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      expect(await repoCount()).toBe(before);
    });

    it.each([
      ['a body that is not JSON', '{"slug": "valid-slug", '],
      ['an array', '[]'],
      ['a string', '"billing"'],
      ['no body at all', ''],
    ])('is 400 for %s, and creates nothing', async (_, raw) => {
      const before = await repoCount();
      const reply = await asAdmin('POST', '/admin/repos', { body: raw });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String) });
      expect(await repoCount()).toBe(before);
    });
  });

  describe('GET /admin/repos', () => {
    it('lists every repo ordered by slug, in the admin shape', async () => {
      for (const slug of ['zz-last', 'a1', 'a-b', 'ab']) expect((await createRepo(slug)).status).toBe(201);
      const reply = await asAdmin('GET', '/admin/repos');
      expect(reply.status).toBe(200);
      const slugs = reply.body.map((repo: { slug: string }) => repo.slug);
      expect(slugs).toEqual([...slugs].sort());
      expect(slugs).toEqual(expect.arrayContaining(['billing', 'zz-last', 'a1', 'a-b', 'ab']));
      expect(slugs.indexOf('a-b')).toBeLessThan(slugs.indexOf('a1'));
      expect(slugs.indexOf('a1')).toBeLessThan(slugs.indexOf('ab'));
      for (const repo of reply.body) {
        expect(Object.keys(repo).sort()).toEqual(
          ['createdAt', 'hasWebhookSecret', 'id', 'name', 'owner', 'replyMode', 'slug', 'updatedAt', 'webhookUrl'].sort(),
        );
        expect(repo.webhookUrl).toBe(`${BASE_URL}/webhooks/forgejo/${repo.slug}`);
      }
    });

    it('shows one repo by slug, and 404 for an unknown one', async () => {
      const one = await asAdmin('GET', '/admin/repos/billing');
      expect(one.status).toBe(200);
      expect(one.body).toMatchObject({ slug: 'billing', owner: 'acme', name: 'billing-service', hasWebhookSecret: true });
      const missing = await asAdmin('GET', '/admin/repos/no-such-repo');
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.stringContaining('no-such-repo') });
    });
  });

  describe('PATCH /admin/repos/:slug', () => {
    it('changes owner and name', async () => {
      expect((await createRepo('patch-me')).status).toBe(201);
      const created = (await asAdmin('GET', '/admin/repos/patch-me')).body;
      const reply = await asAdmin('PATCH', '/admin/repos/patch-me', { body: { owner: 'new-owner', name: 'new.name' } });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual({
        ...created,
        owner: 'new-owner',
        name: 'new.name',
        updatedAt: expect.any(String),
      });
      expect(new Date(reply.body.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(created.updatedAt).getTime());
      expect((await asAdmin('GET', '/admin/repos/patch-me')).body).toEqual(reply.body);
    });

    it('replaces the webhook secret for good: only the database shows it, the old value is gone', async () => {
      const old = await secretInDb('patch-me');
      const next = secret();
      const reply = await asAdmin('PATCH', '/admin/repos/patch-me', { body: { webhookSecret: next } });
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({ slug: 'patch-me', owner: 'new-owner', hasWebhookSecret: true });
      expect(reply.text).not.toContain(next);
      expect(await secretInDb('patch-me')).toBe(next);
      const { rows } = await api.db.pool.query(
        `SELECT count(*) FROM repos WHERE webhook_secret = $1`,
        [old],
      );
      expect(Number(rows[0].count)).toBe(0);
    });

    it('changes nothing for an empty body (200 with the repo as it was)', async () => {
      const before = (await asAdmin('GET', '/admin/repos/patch-me')).body;
      const reply = await asAdmin('PATCH', '/admin/repos/patch-me', { body: {} });
      expect(reply.status).toBe(200);
      expect(reply.body).toEqual(before);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['an owner ".."', { owner: '..' }, 'owner'],
      ['a null owner', { owner: null }, 'owner'],
      ['an empty name', { name: '' }, 'name'],
      ['an empty webhookSecret', { webhookSecret: '' }, 'webhookSecret'],
      ['a null webhookSecret', { webhookSecret: null }, 'webhookSecret'],
      ['a slug (not changeable)', { slug: 'renamed' }, 'slug'],
      ['an unknown property', { color: 'red' }, 'color'],
    ])('is 400 naming the field for %s, and changes nothing', async (_, body, field) => {
      const before = (await asAdmin('GET', '/admin/repos/patch-me')).body;
      const secretBefore = await secretInDb('patch-me');
      const reply = await asAdmin('PATCH', '/admin/repos/patch-me', { body: { owner: 'changed', ...body } });
      expect(reply.status).toBe(400);
      expect(reply.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.stringContaining(field) });
      expect((await asAdmin('GET', '/admin/repos/patch-me')).body).toEqual(before);
      expect(await secretInDb('patch-me')).toBe(secretBefore);
    });

    it('is 404 for an unknown slug', async () => {
      const reply = await asAdmin('PATCH', '/admin/repos/no-such-repo', { body: { owner: 'x' } });
      expect(reply.status).toBe(404);
      expect(await secretInDb('no-such-repo')).toBeUndefined();
    });
  });

  describe('DELETE /admin/repos/:slug', () => {
    it('is 204, then the repo and its secret are gone (404)', async () => {
      expect((await createRepo('delete-me')).status).toBe(201);
      const reply = await asAdmin('DELETE', '/admin/repos/delete-me');
      expect(reply.status).toBe(204);
      expect(reply.text).toBe('');
      expect((await asAdmin('GET', '/admin/repos/delete-me')).status).toBe(404);
      expect(await secretInDb('delete-me')).toBeUndefined();
      const again = await asAdmin('DELETE', '/admin/repos/delete-me');
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String) });
    });

    it('is 409 while a ticket is filed against the repo, and keeps it', async () => {
      expect((await createRepo('has-tickets')).status).toBe(201);
      const filed = await call('POST', '/tickets', { token: customer, body: { repo: 'has-tickets', title: 'A title', description: 'A description' } });
      expect(filed.status).toBe(201);
      const reply = await asAdmin('DELETE', '/admin/repos/has-tickets');
      expect(reply.status).toBe(409);
      expect(reply.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.stringContaining('has tickets') });
      expect((await asAdmin('GET', '/admin/repos/has-tickets')).status).toBe(200);
    });
  });

  describe('GET /repos', () => {
    it('gives a customer every slug, ordered, and nothing else', async () => {
      const reply = await call('GET', '/repos', { token: customer });
      expect(reply.status).toBe(200);
      const { rows } = await api.db.pool.query(`SELECT slug FROM repos ORDER BY slug COLLATE "C"`);
      expect(rows.length).toBeGreaterThan(3);
      expect(reply.body).toEqual(rows.map((row: { slug: string }) => ({ slug: row.slug })));
    });

    it('answers admins too', async () => {
      const reply = await asAdmin('GET', '/repos');
      expect(reply.status).toBe(200);
      expect(reply.body).toContainEqual({ slug: 'billing' });
    });

    it('is 401 without a token', async () => {
      const reply = await call('GET', '/repos');
      expect(reply.status).toBe(401);
      expect(reply.body).toEqual({ statusCode: 401, error: 'Unauthorized', message: expect.any(String) });
    });
  });

  describe('authorization', () => {
    // every row has three cells: jest passes a `done` callback to a test function with more parameters than cells
    const adminRoutes: Array<[string, string, unknown]> = [
      ['POST', '/admin/repos', { slug: 'by-customer', owner: 'acme', name: 'svc', webhookSecret: 'customer-secret' }],
      ['GET', '/admin/repos', undefined],
      ['GET', '/admin/repos/billing', undefined],
      ['PATCH', '/admin/repos/billing', { owner: 'hijacked' }],
      ['DELETE', '/admin/repos/billing', undefined],
    ];

    it.each(adminRoutes)('is 403 for a customer on %s %s, and changes nothing', async (method, path, body) => {
      const before = (await api.db.pool.query(`SELECT * FROM repos ORDER BY slug`)).rows;
      const reply = await call(method, path, { token: customer, body });
      expect(reply.status).toBe(403);
      expect(reply.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.any(String) });
      expect((await api.db.pool.query(`SELECT * FROM repos ORDER BY slug`)).rows).toEqual(before);
    });

    it.each(adminRoutes)('is 401 without a token on %s %s', async (method, path, body) => {
      const reply = await call(method, path, { body });
      expect(reply.status).toBe(401);
    });
  });

  it('never returned a webhook secret in any response', () => {
    expect(seen.length).toBeGreaterThan(50);
    for (const text of seen) {
      for (const value of secrets) expect(text).not.toContain(value);
      expect(text).not.toMatch(/"webhook_?secret"\s*:/i);
    }
  });
});
