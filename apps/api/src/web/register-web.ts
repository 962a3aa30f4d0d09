import { getQueueToken } from '@nestjs/bull';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Queue } from 'bull';
import { Logger } from 'nestjs-pino';
import { registerQueueBoard } from '../../../../libs/admin/src/queues/queue-board.js';
import { refuseCrossSiteCookieWrites, RequestAuthenticator } from '../../../../libs/auth/src/nest.js';
import { QUEUE_NAMES } from '../../../../libs/queues/src/index.js';
import { allowInlineStyles, registerSecurityHeaders } from './security-headers.js';
import { registerWebApp } from './web-app.routes.js';

/**
 * What the browser side of the API needs: cross-site cookie writes refused on arrival, security headers on every response (first, before any route, so the
 * per-route policies apply), the web app, and the queue dashboard (libs/admin/src/queues).
 */
export async function registerWeb(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const authenticator = app.get(RequestAuthenticator, { strict: false });
  refuseCrossSiteCookieWrites(fastify, authenticator.origin);
  await registerSecurityHeaders(fastify);
  await registerWebApp(fastify);
  const queues = QUEUE_NAMES.map((name) => app.get<Queue>(getQueueToken(name), { strict: false }));
  const logger = app.get(Logger);
  await registerQueueBoard(fastify, { queues, authenticator, allowInlineStyles, logError: (error) => logger.error({ err: error }, 'queue board: unhandled error') });
}
