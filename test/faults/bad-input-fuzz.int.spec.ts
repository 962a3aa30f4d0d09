import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { registeredRoutes, type RegisteredRoute } from '../../apps/api/src/create-api.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';
import { ensureWebAppBuilt } from '../support/web-app.js';

// Field and query names the routes know, so that generated input often gets past the whitelist to the code behind it.
const FIELDS = ['email', 'password', 'repo', 'title', 'description', 'body', 'slug', 'owner', 'name', 'webhookSecret', 'replyMode'];
const QUERY_KEYS = ['limit', 'cursor', 'status', 'repo'];
const RUNS = 300;

/** Every byte percent-encoded (a lone surrogate goes as UTF-8's replacement character, as a browser sends it). */
const encode = (text: string) => Array.from(Buffer.from(text, 'utf8'), (byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

// any UTF-16 code unit (NUL and lone surrogates included), whole code points, or a few values that bit before
const anyText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((u) => String.fromCharCode(u)), maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', '\u0000', '\ud800', 'é'.repeat(70_000), '-1', '1e400', '__proto__', 'constructor', '%', '../..', 'dGVzdA', 'null'),
);
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: anyText },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom(null, true, 0, -1, 2 ** 53, 1.5, [], {}) },
);
const anyBody = fc.oneof(
  { weight: 4, arbitrary: fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), anyText), anyValue, { maxKeys: 6 }) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  // not even JSON, sent as JSON
  { weight: 1, arbitrary: anyText.map((text) => ({ raw: `{${text}` })) },
);
const anyQuery = fc.dictionary(fc.oneof(fc.constantFrom(...QUERY_KEYS), anyText), anyText, { maxKeys: 3 });
// a path parameter: a real one (so the handler behind the checks runs) or anything at all
const anyParam = (real: string) => fc.oneof(fc.constant(real), anyText.filter((text) => text.length > 0));

describe('arbitrary input on every route of the router', () => {
  let api: TestApi;
  let routes: RegisteredRoute[];
  let tokens: Record<'customer' | 'admin', string>;
  let ticketId: string;

  beforeAll(async () => {
    // the web app's routes are in the router's list too: they must serve a real build, not the missing-build 503
    await ensureWebAppBuilt();
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '100000', WEBHOOK_RATE_LIMIT: '100000' });
    // sign-out reads no input, and would end the very sessions the rest of the run sends its input with
    routes = registeredRoutes(api.app).filter((route) => !(route.method === 'POST' && route.url === '/auth/logout'));
    const admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'fuzz');
    const customer = await newCustomer(api.url, 'fuzz');
    tokens = { customer: customer.token, admin };
    ticketId = (await call(api.url, 'POST', '/tickets', { token: customer.token, body: { repo: 'fuzz', title: 'T', description: 'D' } })).body.id;
  }, 180_000);
  afterAll(async () => {
    await api.close();
  });

  it('never answers 5xx, as a customer or as an admin, and stays up', async () => {
    expect(routes.length).toBeGreaterThan(10);
    const seen: string[] = [];
    const failures: string[] = [];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.constantFrom<'customer' | 'admin'>('customer', 'admin'),
        anyParam(ticketId),
        anyParam('fuzz'),
        anyQuery,
        anyBody,
        async (route, who, id, slug, query, body) => {
          const path = route.url
            .replace(':id', encode(id))
            .replace(':slug', encode(slug))
            .replace('*', encode(slug));
          const search = new URLSearchParams(query as Record<string, string>).toString();
          const withBody = ['POST', 'PUT', 'PATCH', 'DELETE'].includes(route.method);
          const sent = withBody ? (body && typeof body === 'object' && 'raw' in body ? String(body.raw) : body) : undefined;
          const reply = await call(api.url, route.method, `${path}${search ? `?${search}` : ''}`, { token: tokens[who], body: sent });
          seen.push(`${route.method} ${route.url}`);
          if (reply.status >= 500) failures.push(`${route.method} ${path}?${search} as ${who} → ${reply.status} ${reply.text.slice(0, 200)}`);
          return reply.status < 500;
        },
      ),
      { numRuns: RUNS, interruptAfterTimeLimit: 60_000 },
    );
    expect(failures).toEqual([]);
    // the run reached most of the routes, and the API still answers
    expect(new Set(seen).size).toBeGreaterThan(routes.length * 0.8);
    expect((await call(api.url, 'GET', '/health')).status).toBe(200);
    expect((await call(api.url, 'GET', `/tickets/${ticketId}`, { token: tokens.customer })).status).toBe(200);
  }, 120_000);
});
