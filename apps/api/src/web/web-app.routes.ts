import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { WEB_DIST } from './web-dist.js';

export const WEB_APP_NOT_BUILT = 'The web app is not built: run `npm run build:web`\n';

/**
 * The web app on the API's origin: `/` and every `/app/...` path answer its index.html (the app routes in the
 * browser; always revalidated, so a new build shows at once), `/assets/*` the built files, whose names carry
 * their content hash (cached for a year, immutable). Public: the app asks the API who is signed in. Without a
 * build, the pages answer 503 saying how to make one.
 */
export async function registerWebApp(fastify: FastifyInstance, dist = WEB_DIST): Promise<void> {
  const index = join(dist, 'index.html');
  const sendIndex = async (_request: unknown, reply: FastifyReply) => {
    const html = await readFile(index).catch(() => null);
    if (!html) return reply.code(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(WEB_APP_NOT_BUILT);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(html);
  };
  for (const url of ['/', '/app', '/app/*']) fastify.get(url, sendIndex);
  await fastify.register(fastifyStatic, {
    root: join(dist, 'assets'),
    prefix: '/assets/',
    // Swagger and Bull Board register their own @fastify/static: only one may decorate the reply
    decorateReply: false,
    index: false,
    list: false,
    maxAge: '365d',
    immutable: true,
  });
}
