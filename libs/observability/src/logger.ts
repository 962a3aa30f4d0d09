import { RequestMethod } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
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

/** Structured JSON lines on stdout, each request's lines carrying its request id. */
export function loggerModule(config: Pick<Config, 'logLevel'>, app: string) {
  return LoggerModule.forRoot({
    // nestjs-pino's default route pattern matches nothing under Nest 12's Fastify adapter; this one matches all
    forRoutes: [{ path: '{*splat}', method: RequestMethod.ALL }],
    pinoHttp: {
      level: config.logLevel,
      base: { app },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // HTTP requests carry Fastify's request id (see create-api.ts); this covers anything else
      genReqId: () => randomUUID(),
      // a passing health probe every few seconds is noise at info level
      customLogLevel: (req, res, error) =>
        error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : req.url === '/health' ? 'debug' : 'info',
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
