import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { AuthenticatedUser } from '../../auth/src/index.js';
import type { EventMetadata } from '../../event-store/src/index.js';

/** Who caused a command sent over HTTP: the caller, the request (correlation) and the command itself (causation). */
export function metadataFor(user: AuthenticatedUser, request: FastifyRequest): EventMetadata {
  return {
    actor: { type: user.role, id: user.id },
    correlationId: String(request.id),
    causationId: randomUUID(),
  };
}
