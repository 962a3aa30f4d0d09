import { LoggerModule } from 'nestjs-pino';
import type { Config } from '../../config/src/index.js';

// Secrets never reach a log line: headers that carry them, and any field named like one, at any depth we log.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forgejo-signature"]',
  'req.headers["x-gitea-signature"]',
  'req.headers["x-gogs-signature"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.webhookSecret',
  '*.secret',
  '*.forgejoApiToken',
  '*.adminPassword',
  '*.authorization',
  '*.Authorization',
];

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
