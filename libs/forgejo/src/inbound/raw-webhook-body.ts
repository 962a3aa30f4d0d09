import type { IncomingMessage } from 'node:http';
import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * A webhook's signature covers the exact bytes received, and a forged or mutated body must get 401, not a
 * parser's 400. So the webhook route's body never meets the app's JSON parser: this middleware (which runs in
 * Fastify's onRequest phase, before any body parsing) relabels the request with a private media type whose
 * parser keeps the bytes as `request.rawBody` and parses nothing. The original Content-Type is put back at once.
 */
export const WEBHOOK_BODY_TYPE = 'application/x-ticket-bridge-webhook-body';

const ORIGINAL_CONTENT_TYPE = Symbol('webhook original content-type');

type MarkedRequest = IncomingMessage & { [ORIGINAL_CONTENT_TYPE]?: string | undefined };

@Injectable()
export class RawWebhookBodyMiddleware implements NestMiddleware {
  use(req: MarkedRequest, _res: unknown, next: (error?: unknown) => void): void {
    req[ORIGINAL_CONTENT_TYPE] = req.headers['content-type'];
    req.headers['content-type'] = WEBHOOK_BODY_TYPE;
    next();
  }
}

/** The Content-Type the client sent, whatever the middleware did to the header. */
export function originalContentType(request: FastifyRequest): string | undefined {
  const raw = request.raw as MarkedRequest;
  return ORIGINAL_CONTENT_TYPE in raw ? raw[ORIGINAL_CONTENT_TYPE] : request.headers['content-type'];
}

/** Once per Fastify instance: the private media type's parser (bytes only; the instance's body limit applies). */
export function registerWebhookBodyParser(fastify: FastifyInstance): void {
  if (fastify.hasContentTypeParser(WEBHOOK_BODY_TYPE)) return;
  fastify.addContentTypeParser(WEBHOOK_BODY_TYPE, { parseAs: 'buffer' }, (request, body, done) => {
    const raw = request.raw as MarkedRequest;
    // the request log shows what the client sent
    if (raw[ORIGINAL_CONTENT_TYPE] === undefined) delete raw.headers['content-type'];
    else raw.headers['content-type'] = raw[ORIGINAL_CONTENT_TYPE];
    (request as FastifyRequest & { rawBody?: Buffer }).rawBody = body as Buffer;
    done(null, undefined);
  });
}
