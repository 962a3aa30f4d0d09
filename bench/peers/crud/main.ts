/*
 * The CRUD peer of `npm run bench:api` (bench/peers/crud): a plain NestJS service on the service's stack
 * (Nest and its Fastify adapter, the same ValidationPipe options and NUL pipe, the service's TokenService behind
 * a global bearer guard, nestjs-pino, a pg pool of createPool's size) writing tickets as plain rows:
 *   POST /tickets      one SELECT of the repo by slug, one INSERT ... RETURNING; 201 with the ticket
 *   GET  /tickets/:id  one SELECT by id and owner, its comments in a subquery; 404 for anyone else's
 * Tokens are the service's: its access_tokens and accounts tables in the same database. Env: PORT, DATABASE_URL,
 * LOG_LEVEL (default warn).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import type pg from 'pg';
import { NoNulCharactersPipe } from '../../../apps/api/src/no-nul-characters.pipe.js';
import { PG_POOL } from '../../../libs/database/src/index.js';
import { CrudPeerModule } from './crud-peer.module.js';
import { createPeerTables } from './schema.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');

// as the service does: the caller's x-request-id when sane, else a new one
function requestId(req: IncomingMessage): string {
  const sent = req.headers['x-request-id'];
  return typeof sent === 'string' && /^[\w.:-]{1,128}$/.test(sent) ? sent : randomUUID();
}

const messages = (errors: ValidationError[]): string[] =>
  errors.flatMap((error) => [...Object.values(error.constraints ?? {}), ...messages(error.children ?? [])]);

const adapter = new FastifyAdapter({ bodyLimit: 1024 * 1024, genReqId: requestId });
const app = await NestFactory.create<NestFastifyApplication>(
  CrudPeerModule.forRoot({ databaseUrl, logLevel: process.env.LOG_LEVEL ?? 'warn' }),
  adapter,
  { bufferLogs: true },
);
app.useLogger(app.get(Logger));
app.useGlobalPipes(
  new NoNulCharactersPipe(),
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new BadRequestException(messages(errors).join('; ')),
  }),
);
adapter.getInstance().addHook('onSend', async (request, reply) => {
  reply.header('x-request-id', request.id);
});
const pool = app.get<pg.Pool>(PG_POOL);
await createPeerTables(pool);

const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
