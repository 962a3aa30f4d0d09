import { HttpException } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { requireAdmin, type RequestAuthenticator } from '../../../auth/src/nest.js';

/**
 * For routes outside Nest (its global guard does not see them): admins only, by bearer token or session cookie,
 * with the guard's rules and answers (401 not signed in, 403 not an admin or a cross-site cookie request), in the
 * API's error shape.
 */
export function adminOnlyHook(authenticator: RequestAuthenticator) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      requireAdmin((await authenticator.authenticate(request)).user);
    } catch (error) {
      if (!(error instanceof HttpException)) throw error;
      await reply.code(error.getStatus()).send(error.getResponse());
    }
  };
}
