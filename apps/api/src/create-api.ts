import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { SESSION_COOKIE } from '../../../libs/auth/src/index.js';
import type { Config } from '../../../libs/config/src/index.js';
import { logRequests } from '../../../libs/observability/src/nest.js';
import { ApiModule } from './api.module.js';
import { NoNulCharactersPipe } from './no-nul-characters.pipe.js';
import { registerWeb } from './web/register-web.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The caller's `x-request-id` when it is a sane token, else a new one; echoed on the response. */
function requestId(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

export interface RegisteredRoute {
  method: string;
  url: string;
}

const routesOf = new WeakMap<NestFastifyApplication, RegisteredRoute[]>();

/** Every route the router holds, as Fastify registered it: what the authorization matrix walks. */
export function registeredRoutes(app: NestFastifyApplication): RegisteredRoute[] {
  return routesOf.get(app) ?? [];
}

/** Builds the API application (not yet listening); used by main.ts and by the tests. */
export async function createApi(config: Config): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, genReqId: requestId });
  const routes: RegisteredRoute[] = [];
  adapter.getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) if (method !== 'HEAD') routes.push({ method, url: route.url });
  });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    rawBody: true,
  });
  routesOf.set(app, routes);
  await registerWeb(app);
  app.useLogger(app.get(Logger));
  logRequests(adapter.getInstance(), await app.resolve(PinoLogger));
  app.useGlobalPipes(
    new NoNulCharactersPipe(),
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      // one string naming every bad field, e.g. "title must be shorter than or equal to 255 characters"
      exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors).join('; ')),
    }),
  );
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('The ticket bridge')
      .setDescription('Support tickets over REST, mirrored as Forgejo issues')
      .addBearerAuth()
      .addCookieAuth(SESSION_COOKIE)
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  const fastify = adapter.getInstance();
  // JSON in: any other body type is refused with 415 rather than handed to a route as a string
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
    // while draining, no connection is kept alive past its response, so the server can close
    if (draining.has(app)) reply.header('connection', 'close');
  });
  return app;
}

const draining = new WeakSet<NestFastifyApplication>();

/**
 * SIGTERM drain: first stop taking requests and let the in-flight ones finish (Fastify's close waits for
 * them), then run Nest's shutdown hooks (projections commit their batch, pools close).
 */
export function drainOnSignals(app: NestFastifyApplication, onDone: (code: number) => void): void {
  const drain = async (signal: NodeJS.Signals) => {
    if (draining.has(app)) return;
    draining.add(app);
    app.get(Logger).log(`${signal} received: draining`);
    try {
      const server = app.getHttpServer();
      const idleSweep = setInterval(() => server.closeIdleConnections(), 100);
      await app.getHttpAdapter().getInstance().close();
      clearInterval(idleSweep);
      await app.close();
      onDone(0);
    } catch (error) {
      process.stderr.write(`shutdown failed: ${String(error)}\n`);
      onDone(1);
    }
  };
  process.once('SIGTERM', drain);
  process.once('SIGINT', drain);
}

function flattenValidationErrors(errors: ValidationError[], parent = ''): string[] {
  return errors.flatMap((error) => {
    const path = parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) =>
      parent ? message.replace(new RegExp(`^${error.property}\\b`), path) : message,
    );
    return [...own, ...flattenValidationErrors(error.children ?? [], path)];
  });
}
