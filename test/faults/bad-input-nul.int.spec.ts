import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { adminEnv, adminToken, call, createRepo, newCustomer } from '../support/http.js';

const NUL = '\u0000';
const ticketBody = { repo: 'nul-desk', title: 'Printer', description: 'On fire' };
const repoBody = { slug: 'nul-new', owner: 'acme', name: 'desk', webhookSecret: 's3cret' };

// product.md "Faults and bad input": text containing a NUL character gets 400 naming the field (Postgres text
// and jsonb cannot hold one: it used to be a 500).
describe('a NUL character in any text field', () => {
  let api: TestApi;
  let customer: { token: string; email: string };
  let admin: string;
  let ticketId: string;

  beforeAll(async () => {
    api = await startTestApi({ ...adminEnv, AUTH_RATE_LIMIT: '1000' });
    admin = await adminToken(api.url);
    await createRepo(api.url, admin, 'nul-desk');
    customer = await newCustomer(api.url, 'nul');
    ticketId = (await call(api.url, 'POST', '/tickets', { token: customer.token, body: ticketBody })).body.id;
  });
  afterAll(async () => {
    await api.close();
  });

  // [what, who, method, path, body, the field the message names]
  const cases: Array<[string, 'none' | 'customer' | 'admin', string, string, unknown, string]> = [
    ['register email', 'none', 'POST', '/auth/register', { email: `a${NUL}@example.com`, password: 'good password' }, 'email'],
    ['register password', 'none', 'POST', '/auth/register', { email: 'nul-pw@example.com', password: `good${NUL}password` }, 'password'],
    ['login email', 'none', 'POST', '/auth/login', { email: `${NUL}admin@example.com`, password: 'whatever1' }, 'email'],
    ['login password', 'none', 'POST', '/auth/login', { email: 'admin@example.com', password: `admin password 1${NUL}` }, 'password'],
    ['ticket title', 'customer', 'POST', '/tickets', { ...ticketBody, title: `Prin${NUL}ter` }, 'title'],
    ['ticket description', 'customer', 'POST', '/tickets', { ...ticketBody, description: `${NUL}` }, 'description'],
    ['ticket repo', 'customer', 'POST', '/tickets', { ...ticketBody, repo: `nul-desk${NUL}` }, 'repo'],
    ['comment body', 'customer', 'POST', '/tickets/:id/comments', { body: `hello ${NUL} there` }, 'body'],
    ['a nested unknown field', 'customer', 'POST', '/tickets', { ...ticketBody, extra: { deep: ['ok', `x${NUL}`] } }, 'extra.deep[1]'],
    ['a field name', 'customer', 'POST', '/tickets', { ...ticketBody, [`ti${NUL}tle`]: 'x' }, 'ti\\0tle'],
    ['ticket list cursor', 'customer', 'GET', `/tickets?cursor=${encodeURIComponent(NUL)}`, undefined, 'cursor'],
    ['comment list cursor', 'customer', 'GET', `/tickets/:id/comments?cursor=a${encodeURIComponent(NUL)}`, undefined, 'cursor'],
    ['ticket id in the path', 'customer', 'GET', `/tickets/${encodeURIComponent(NUL)}`, undefined, 'id'],
    ['repo slug', 'admin', 'POST', '/admin/repos', { ...repoBody, slug: `nul${NUL}` }, 'slug'],
    ['repo owner', 'admin', 'POST', '/admin/repos', { ...repoBody, owner: `ac${NUL}me` }, 'owner'],
    ['repo name', 'admin', 'POST', '/admin/repos', { ...repoBody, name: `${NUL}desk` }, 'name'],
    ['repo secret', 'admin', 'POST', '/admin/repos', { ...repoBody, webhookSecret: `s3${NUL}cret` }, 'webhookSecret'],
    ['repo PATCH owner', 'admin', 'PATCH', '/admin/repos/nul-desk', { owner: `ac${NUL}me` }, 'owner'],
    ['repo PATCH secret', 'admin', 'PATCH', '/admin/repos/nul-desk', { webhookSecret: `${NUL}` }, 'webhookSecret'],
    ['repo slug in the path', 'admin', 'GET', `/admin/repos/nul${encodeURIComponent(NUL)}`, undefined, 'slug'],
    ['admin ticket filter', 'admin', 'GET', `/admin/tickets?repo=${encodeURIComponent(NUL)}`, undefined, 'repo'],
    ['admin history id', 'admin', 'GET', `/admin/tickets/${encodeURIComponent(NUL)}/history`, undefined, 'id'],
    ['webhook slug', 'none', 'POST', `/webhooks/forgejo/nul${encodeURIComponent(NUL)}-desk`, {}, 'slug'],
  ];

  it.each(cases)('%s: 400 naming the field', async (_what, who, method, path, body, field) => {
    const token = who === 'customer' ? customer.token : who === 'admin' ? admin : undefined;
    const reply = await call(api.url, method, path.replace(':id', ticketId), { token, body });
    expect({ status: reply.status, body: reply.body }).toEqual({
      status: 400,
      body: { statusCode: 400, error: 'Bad Request', message: `${field} must not contain NUL characters` },
    });
  });

  it('wrote nothing and still serves everyone', async () => {
    const tickets = await call(api.url, 'GET', '/tickets', { token: customer.token });
    expect(tickets.status).toBe(200);
    expect(tickets.body.items).toHaveLength(1);
    const ticket = await call(api.url, 'GET', `/tickets/${ticketId}`, { token: customer.token });
    expect(ticket.body.comments).toEqual([]);
    expect((await call(api.url, 'GET', '/admin/repos/nul-desk', { token: admin })).body.owner).toBe('acme');
    expect((await call(api.url, 'GET', '/health')).status).toBe(200);
  });
});
