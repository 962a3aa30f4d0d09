import type { FastifyInstance } from 'fastify';
import { crossSiteRefused, isCrossSiteCookieWrite } from './request-authenticator.js';

/**
 * Refuses a cross-site cookie write on arrival, before Fastify parses (or refuses) its body: a form posted from
 * another site gets the same 403 whatever its content type, and no route runs. The authenticator checks the same
 * for the routes it guards; this makes the answer not depend on how far the request got.
 */
export function refuseCrossSiteCookieWrites(fastify: FastifyInstance, origin: string): void {
  fastify.addHook('onRequest', async (request, reply) => {
    if (!isCrossSiteCookieWrite(request.raw as { method: string; headers: typeof request.headers }, origin)) return;
    const { message } = crossSiteRefused(origin);
    await reply.code(403).send({ statusCode: 403, error: 'Forbidden', message });
    return reply;
  });
}
