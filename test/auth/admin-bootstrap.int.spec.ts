import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestApi, type TestApi } from '../support/api.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call } from '../support/http.js';

describe('the admin account from ADMIN_EMAIL / ADMIN_PASSWORD', () => {
  let db: TestDatabase;
  const running: TestApi[] = [];
  const start = async (env: Record<string, string>) => {
    const api = await startTestApi({ AUTH_RATE_LIMIT: '1000000', ...env }, db);
    running.push(api);
    return api;
  };
  const stop = async (api: TestApi) => {
    running.splice(running.indexOf(api), 1);
    await api.close();
  };
  const login = (api: TestApi, email: string, password: string) =>
    call(api.url, 'POST', '/auth/login', { body: { email, password } });

  beforeAll(async () => {
    db = await createTestDatabase('auth_admin');
  });
  afterAll(async () => {
    for (const api of running) await api.close();
    await db?.drop();
  });

  it('exists after start, logs in, and has role admin', async () => {
    const api = await start({ ADMIN_EMAIL: 'Root@Example.com', ADMIN_PASSWORD: 'first admin password' });
    const response = await login(api, 'root@example.com', 'first admin password');
    expect(response.status).toBe(200);
    const me = await call(api.url, 'GET', '/auth/me', { token: response.body.token });
    expect(me.body).toEqual({ id: expect.any(String), email: 'Root@Example.com', role: 'admin' });
    // no one can register it again
    const taken = await call(api.url, 'POST', '/auth/register', { body: { email: 'ROOT@example.com', password: 'whatever1' } });
    expect(taken.status).toBe(409);
    await stop(api);
  });

  it('gets the new password on a restart with a new ADMIN_PASSWORD; the old password and its tokens stop working', async () => {
    const first = await start({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'first admin password' });
    const oldToken = (await login(first, 'root@example.com', 'first admin password')).body.token as string;
    await stop(first);

    const second = await start({ ADMIN_EMAIL: 'root@example.com', ADMIN_PASSWORD: 'second admin password' });
    expect((await login(second, 'root@example.com', 'first admin password')).status).toBe(401);
    const fresh = await login(second, 'root@example.com', 'second admin password');
    expect(fresh.status).toBe(200);
    expect((await call(second.url, 'GET', '/auth/me', { token: fresh.body.token })).body.role).toBe('admin');
    expect((await call(second.url, 'GET', '/auth/me', { token: oldToken })).status).toBe(401);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM accounts WHERE role = 'admin'");
    expect(rows[0].n).toBe(1);
    await stop(second);
  });

  it('promotes an existing customer with that email to admin', async () => {
    const plain = await start({});
    const email = 'promoted@example.com';
    expect((await call(plain.url, 'POST', '/auth/register', { body: { email, password: 'customer password' } })).body.role).toBe(
      'customer',
    );
    await stop(plain);
    const api = await start({ ADMIN_EMAIL: email, ADMIN_PASSWORD: 'promoted password' });
    const { token } = (await login(api, email, 'promoted password')).body;
    expect((await call(api.url, 'GET', '/auth/me', { token })).body.role).toBe('admin');
    await stop(api);
  });

  it('is safe when several processes start at once', async () => {
    const env = { ADMIN_EMAIL: 'together@example.com', ADMIN_PASSWORD: 'started together' };
    const apis = await Promise.all([start(env), start(env), start(env)]);
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM accounts WHERE email_key = 'together@example.com'");
    expect(rows[0].n).toBe(1);
    expect((await login(apis[0], env.ADMIN_EMAIL, env.ADMIN_PASSWORD)).status).toBe(200);
    for (const api of apis) await stop(api);
  });

  it('does nothing with only one of the two set', async () => {
    const api = await start({ ADMIN_EMAIL: 'half@example.com' });
    const { rows } = await db.pool.query("SELECT count(*)::int AS n FROM accounts WHERE email_key = 'half@example.com'");
    expect(rows[0].n).toBe(0);
    await stop(api);
  });
});
