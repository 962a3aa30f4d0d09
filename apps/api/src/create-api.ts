import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type { Config } from '../../../libs/config/src/index.js';
import { ApiModule } from './api.module.js';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** The caller's `x-request-id` when it is a sane token, else a new one; echoed on the response. */
function requestId(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

/** Builds the API application (not yet listening); used by main.ts and by the tests. */
export async function createApi(config: Config): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES, genReqId: requestId });
  const app = await NestFactory.create<NestFastifyApplication>(ApiModule.forRoot(config), adapter, {
    bufferLogs: true,
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  const fastify = adapter.getInstance();
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
