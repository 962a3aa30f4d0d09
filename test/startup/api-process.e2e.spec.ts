import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/ports.js';
import { runTs, type RunningProcess } from '../support/processes.js';
import { waitUntil } from '../support/wait.js';

/** A Redis stand-in that answers PING late (and anything else at once): it keeps a health check in flight. */
function slowRedis(delayMs: number): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      for (const command of chunk.toString().split('*').filter(Boolean)) {
        if (/\r\nping\r\n/i.test(command)) setTimeout(() => socket.writable && socket.write('+PONG\r\n'), delayMs);
        else socket.write('+OK\r\n');
      }
    });
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port })));
}

describe('the API process', () => {
  let db: TestDatabase;
  let redis: { server: Server; port: number };
  let api: RunningProcess;
  let url: string;

  beforeAll(async () => {
    db = await createTestDatabase('apiproc');
    redis = await slowRedis(1500);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    api = runTs('apps/api/src/main.ts', { LOG_LEVEL: 'debug', PORT: String(port), DATABASE_URL: db.url, REDIS_URL: `redis://127.0.0.1:${redis.port}` });
    await waitUntil(() => api.stdout().includes('listening on') || api.child.exitCode !== null, { timeoutMs: 30000, what: 'the API to listen' });
  });
  afterAll(async () => {
    if (api.child.exitCode === null) api.child.kill('SIGKILL');
    redis.server.close();
    await db.drop();
  });

  it('logs JSON lines with a request id and no secret', async () => {
    const response = await fetch(`${url}/health`, {
      headers: { authorization: 'Bearer supersecret-token-123', 'x-request-id': 'req-abc-123', 'x-forgejo-signature': 'deadbeefsig' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('req-abc-123');
    const line = await waitUntil(
      () => api.stdout().split('\n').find((l) => l.includes('req-abc-123') && l.includes('"res"')),
      { what: 'the request log line' },
    );
    const entry = JSON.parse(line!);
    expect(entry.req.id).toBe('req-abc-123');
    expect(entry.req.headers.authorization).toBe('[redacted]');
    expect(entry.req.headers['x-forgejo-signature']).toBe('[redacted]');
    expect(entry.res.statusCode).toBe(200);
    expect(api.stdout()).not.toContain('supersecret');
    expect(api.stdout()).not.toContain('deadbeefsig');
    for (const l of api.stdout().trim().split('\n')) expect(() => JSON.parse(l)).not.toThrow();
  });

  it('on SIGTERM finishes the request in flight, then exits 0', async () => {
    const inFlight = fetch(`${url}/health`);
    // the request is inside the health check once the slow Redis has a connection
    await waitUntil(
      () => new Promise<boolean>((resolve) => redis.server.getConnections((_, count) => resolve(count > 0))),
      { what: 'the health check to reach Redis' },
    );
    api.child.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', checks: { postgres: 'up', redis: 'up', eventStore: 'up' } });
    expect(await api.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
