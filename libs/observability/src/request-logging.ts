import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** A request's log level once answered: failures stand out, a passing health probe every few seconds is noise. */
export function requestLogLevel(url: string, statusCode: number): Level {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : url === '/health' ? 'debug' : 'info';
}

const OUTCOME = Symbol('logged outcome');

/**
 * What a route has to say about its request (a webhook's slug, delivery and result, say), written on the request's
 * one line when it is answered instead of a line of its own: one write per request.
 */
export function logOutcome(request: object, outcome: Record<string, unknown>): void {
  (request as { [OUTCOME]?: Record<string, unknown> })[OUTCOME] = outcome;
}

/**
 * Request logging from two Fastify hooks on the one root logger, in place of pino-http's middleware, which built
 * (and serialized, headers and redaction included) a child logger carrying the whole request for every request,
 * logged or not:
 *   onRequest  runs the request in a logging context of its own: what PinoLogger writes during the request carries
 *              `reqId`, through a child bound to the id alone;
 *   onResponse writes one line per answered request, with `req` (id, method, url, headers; the secrets among them
 *              redacted by REDACTED_PATHS), `res` and `responseTime` as pino-http did, and what the route gave
 *              logOutcome, only when its level is on.
 */
export function logRequests(fastify: FastifyInstance, logger: PinoLogger): void {
  fastify.addHook('onRequest', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
    logger.runInContext(done, { bindings: { reqId: request.id } });
  });
  fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
    const level = requestLogLevel(request.url, reply.statusCode);
    const root = PinoLogger.root;
    if (root.isLevelEnabled(level)) {
      root[level](
        {
          req: { id: request.id, method: request.method, url: request.url, headers: request.headers },
          res: reply.raw,
          responseTime: Math.round(reply.elapsedTime),
          ...(request as { [OUTCOME]?: Record<string, unknown> })[OUTCOME],
        },
        level === 'error' ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
