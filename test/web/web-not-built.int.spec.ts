import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerWebApp, WEB_APP_NOT_BUILT } from '../../apps/api/src/web/web-app.routes.js';

describe('the web app routes without a build', () => {
  let dir: string;
  let server: FastifyInstance;
  let url: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'web-dist-'));
    server = Fastify();
    await registerWebApp(server, join(dir, 'dist'));
    url = await server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 with one line saying how to build it, and keeps running', async () => {
    for (const path of ['/', '/app/tickets']) {
      const reply = await fetch(`${url}${path}`);
      expect(reply.status).toBe(503);
      expect(reply.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      const text = await reply.text();
      expect(text).toBe(WEB_APP_NOT_BUILT);
      expect(text.trim().split('\n')).toEqual(['The web app is not built: run `npm run build:web`']);
    }
    const asset = await fetch(`${url}/assets/index.js`);
    expect(asset.status).toBe(404);
    await asset.text();
  });
});
