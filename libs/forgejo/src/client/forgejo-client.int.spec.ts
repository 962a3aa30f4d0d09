import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { backoffStrategies, FORGEJO_BACKOFF, retryDelay } from '../../../queues/src/index.js';
import { ForgejoClient } from './forgejo-client.js';
import { PermanentForgejoError, TemporaryForgejoError } from './forgejo-errors.js';

describe('Forgejo client errors', () => {
  let server: Server;
  let client: ForgejoClient;
  let answer: (res: import('node:http').ServerResponse) => void = () => undefined;
  let seenAuthorization: string | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seenAuthorization = req.headers.authorization;
      req.resume();
      req.on('end', () => answer(res));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new ForgejoClient({ baseUrl: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: 'secret-token', timeoutMs: 300 });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const create = () => client.createIssue('acme', 'desk', { title: 't', body: 'b' });
  const reply = (status: number, headers: Record<string, string> = {}) => (res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(status < 300 ? { id: 1, number: 7, body: 'b' } : { message: `status ${status}` }));
  };

  it('sends the token and returns the created issue', async () => {
    answer = reply(201);
    expect(await create()).toEqual({ id: 1, number: 7, body: 'b' });
    expect(seenAuthorization).toBe('token secret-token');
  });

  it.each([500, 502, 503])('calls a %i temporary', async (status) => {
    answer = reply(status);
    await expect(create()).rejects.toBeInstanceOf(TemporaryForgejoError);
  });

  it('calls a 429 temporary and keeps its Retry-After', async () => {
    answer = reply(429, { 'retry-after': '2' });
    const error = await create().catch((e) => e);
    expect(error).toBeInstanceOf(TemporaryForgejoError);
    expect(error.retryAfterMs).toBe(2000);
    expect(retryDelay(1, error)).toBeGreaterThanOrEqual(2000);
  });

  it.each([400, 401, 403, 404, 422, 423])('calls a %i permanent, with the message and never the token', async (status) => {
    answer = reply(status);
    const error = await create().catch((e) => e);
    expect(error).toBeInstanceOf(PermanentForgejoError);
    expect(error.message).toContain(`status ${status}`);
    expect(error.message).not.toContain('secret-token');
  });

  it('calls a timeout and a cut connection temporary', async () => {
    answer = () => undefined; // never answers
    await expect(create()).rejects.toThrow(/timed out after 300 ms/);
    answer = (res) => res.socket!.destroy();
    await expect(create()).rejects.toBeInstanceOf(TemporaryForgejoError);
  });

  it('backs off exponentially with jitter, from the configured base, never past the configured cap', () => {
    for (const policy of [{ baseMs: 1000, maxMs: 600_000 }, { baseMs: 50, maxMs: 400 }]) {
      for (let attempt = 1; attempt <= 40; attempt++) {
        const expected = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
        const delay = retryDelay(attempt, undefined, policy);
        expect(delay).toBeGreaterThanOrEqual(0.7 * expected);
        expect(delay).toBeLessThanOrEqual(Math.min(policy.maxMs, 1.3 * expected));
      }
    }
    // a job retried for a day, with its attempts in the thousands, waits at most the cap (never Infinity)
    for (let i = 0; i < 200; i++) expect(retryDelay(5000, undefined, { baseMs: 1000, maxMs: 600_000 })).toBeLessThanOrEqual(600_000);
    // a Retry-After within the cap is waited for; a longer one (an hour) is cut to the cap: at most 10 minutes apart
    expect(retryDelay(1, { retryAfterMs: 2000 }, { baseMs: 50, maxMs: 5000 })).toBe(2000);
    expect(retryDelay(1, { retryAfterMs: 3_600_000 }, { baseMs: 1000, maxMs: 600_000 })).toBe(600_000);
    // the Forgejo strategy Bull calls goes by the configuration
    const strategy = backoffStrategies({ forgejoRetryBaseMs: 50, forgejoRetryMaxMs: 400 })[FORGEJO_BACKOFF];
    for (let attempt = 1; attempt <= 40; attempt++) expect(strategy(attempt, new Error('x'))).toBeLessThanOrEqual(400);
  });
});
