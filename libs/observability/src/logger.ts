import { LoggerModule } from 'nestjs-pino';
import type { Config } from '../../config/src/index.js';
import { REDACTED_PATHS } from './redaction.js';

// the list lives with the pure parts (redaction.ts); the CRUD peer of the benchmarks imports it from here
export { REDACTED_PATHS };

/**
 * Structured JSON lines on stdout, each request's lines carrying its request id. The requests themselves are
 * logged by logRequests (request-logging.ts), from Fastify hooks: nestjs-pino's per-request middleware is mounted
 * on no route, and its options here configure the one root logger.
 */
export function loggerModule(config: Pick<Config, 'logLevel'>, app: string) {
  return LoggerModule.forRoot({
    forRoutes: [],
    pinoHttp: {
      level: config.logLevel,
      base: { app },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        req: (req: { id: string; method: string; url: string; headers: Record<string, unknown> }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
          headers: req.headers,
        }),
      },
    },
  });
}
