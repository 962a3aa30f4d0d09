import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registeredRoutes, type RegisteredRoute } from '../../apps/api/src/create-api.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';

// The only routes anyone may call without a token (product.md: webhooks, /health and /docs, plus register/login),
// and the web app's page and files (`/`, `/app/...`, `/assets/...`): the app itself asks the API who is signed in.
const PUBLIC = [/^\/health$/, /^\/docs(\/|-json|-yaml|$)/, /^\/auth\/(register|login)$/, /^\/webhooks\//, /^\/$/, /^\/app(\/|$)/, /^\/assets\//];
// the resolved email's reopen link: its page needs no sign-in (product.md, "Reopening from the customer's side")
const isPublic = (route: RegisteredRoute) => PUBLIC.some((pattern) => pattern.test(route.url)) || (route.method === 'GET' && route.url === '/tickets/:id/reopen');
// alice's ticket is open: reopening it is refused as a conflict, which is not an authorization answer
const OWNER_CONFLICTS = new Set(['POST /tickets/:id/reopen']);
const isAdmin = (route: RegisteredRoute) => route.url.startsWith('/admin');
const label = (route: RegisteredRoute) => `${route.method} ${route.url}`;

// Bodies valid enough to get past validation, so that what answers is the authorization, not the input check.
const SAMPLE_BODIES: Record<string, unknown> = {
  'POST /tickets': { repo: 'matrix', title: 'T', description: 'D' },
  'POST /tickets/:id/comments': { body: 'hello' },
  'POST /admin/repos': { slug: 'matrix-new', owner: 'acme', name: 'desk', webhookSecret: 's3cret' },
  'PATCH /admin/repos/:slug': { owner: 'acme' },
};

describe('authorization matrix over every route of the router', () => {
  let api: TestApi;
  let routes: RegisteredRoute[];
  let alice: { token: string };
  let bob: { token: string };
  let aliceTicket: string;

  const request = (route: RegisteredRoute, token?: string) =>
    call(api.url, route.method, route.url.replace(':id', aliceTicket).replace(':slug', 'matrix').replace('*', 'index.html'), {
      token,
      body: ['POST', 'PUT', 'PATCH'].includes(route.method) ? (SAMPLE_BODIES[label(route)] ?? {}) : undefined,
    });

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    routes = registeredRoutes(api.app);
    await createRepo(api.url, await adminToken(api.url), 'matrix');
    alice = await newCustomer(api.url, 'alice');
    bob = await newCustomer(api.url, 'bob');
    aliceTicket = (await call(api.url, 'POST', '/tickets', { token: alice.token, body: SAMPLE_BODIES['POST /tickets'] })).body.id;
  });
  afterAll(async () => {
    await api.close();
  });

  it('knows the routes of every capability', () => {
    const labels = routes.map(label);
    for (const expected of ['GET /health', 'POST /auth/register', 'POST /auth/login', 'POST /auth/logout', 'GET /auth/me', 'POST /tickets', 'GET /tickets', 'GET /tickets/:id', 'POST /tickets/:id/comments', 'GET /repos', 'POST /admin/repos', 'GET /docs-json', 'GET /', 'GET /app/*', 'GET /assets/*', 'GET /admin/queues', 'GET /admin/queues/api/queues', 'GET /admin/queues/static/*']) {
      expect(labels).toContain(expected);
    }
  });

  it('answers 401 without a token, or with a bad one, on every route but the public ones', async () => {
    const failures: string[] = [];
    for (const route of routes.filter((r) => !isPublic(r))) {
      for (const token of [undefined, 'not-a-token']) {
        const reply = await request(route, token);
        if (reply.status !== 401 || reply.body.statusCode !== 401) failures.push(`${label(route)} (${token ?? 'no token'}) → ${reply.status}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('answers 403 to a customer on every /admin route', async () => {
    const adminRoutes = routes.filter(isAdmin);
    expect(adminRoutes.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const route of adminRoutes) {
      const reply = await request(route, alice.token);
      if (reply.status !== 403) failures.push(`${label(route)} → ${reply.status}`);
    }
    expect(failures).toEqual([]);
  });

  it("answers 404 to customer B on each of customer A's resources", async () => {
    const owned = routes.filter((r) => !isPublic(r) && !isAdmin(r) && r.url.includes(':id'));
    expect(owned.length).toBeGreaterThan(0);
    const failures: string[] = [];
    for (const route of owned) {
      const reply = await request(route, bob.token);
      if (reply.status !== 404) failures.push(`${label(route)} → ${reply.status}`);
      const own = await request(route, alice.token);
      if (own.status >= 400 && !(own.status === 409 && OWNER_CONFLICTS.has(label(route)))) failures.push(`${label(route)} as its owner → ${own.status}`);
    }
    expect(failures).toEqual([]);
  });

  it('serves the OpenAPI document and Swagger UI without a token', async () => {
    const doc = await call(api.url, 'GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/tickets', '/tickets/{id}', '/tickets/{id}/comments', '/auth/register', '/admin/repos']));
    const ui = await fetch(`${api.url}/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
  });
});
