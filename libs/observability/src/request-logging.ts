import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

type Level = 'debug' | 'info' | 'warn' | 'error';

/** A request's log level once answered: failures stand out, a passing health probe every few seconds is noise. */
export function requestLogLevel(url: string, statusCode: number): Level {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : url === '/health' ? 'debug' : 'info';
}

/**
 * Request logging from two Fastify hooks on the one root logger, in place of pino-http's middleware, which built
 * (and serialized, headers and redaction included) a child logger carrying the whole request for every request,
 * logged or not:
 *   onRequest  runs the request in a logging context of its own: what PinoLogger writes during the request carries
 *              `reqId`, through a child bound to the id alone;
 *   onResponse writes one line per answered request, with `req` (id, method, url, headers; the secrets among them
 *              redacted by REDACTED_PATHS), `res` and `responseTime` as pino-http did, and only when its level is on.
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
        },
        level === 'error' ? 'request errored' : 'request completed',
      );
    }
    done();
  });
}
