import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import type { PinoLogger } from 'nestjs-pino';
import { HttpExceptionFilter } from './http-exception.filter.js';

function answer(exception: unknown): { status: number; body: unknown; logged: unknown[] } {
  const logged: unknown[] = [];
  const logger = { setContext: () => undefined, warn: (...args: unknown[]) => logged.push(args), error: (...args: unknown[]) => logged.push(args) };
  const reply = { status: 0, body: undefined as unknown, header: () => reply };
  const response = {
    status: (code: number) => ((reply.status = code), response),
    send: (body: unknown) => (reply.body = body),
    header: () => response,
  };
  const host = { switchToHttp: () => ({ getResponse: () => response }) } as unknown as ArgumentsHost;
  new HttpExceptionFilter(logger as unknown as PinoLogger).catch(exception, host);
  return { status: reply.status, body: reply.body, logged };
}

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL', detail: 'secret detail' });

describe('errors of a database that is away', () => {
  it.each([
    ['a cut session (57P01)', pgError('57P01', 'terminating connection due to administrator command')],
    ['a database starting up (57P03)', pgError('57P03', 'the database system is starting up')],
    ['a lost connection (08006)', pgError('08006', 'connection failure')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a dropped socket', new Error('Connection terminated unexpectedly')],
    ['an exhausted pool', new Error('timeout exceeded when trying to connect')],
    ['a statement timeout (57014)', pgError('57014', 'canceling statement due to statement timeout')],
  ])('%s answers 503 in the error shape, without details', (_, error) => {
    const { status, body, logged } = answer(error);
    expect(status).toBe(503);
    expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: expect.any(String) });
    expect(JSON.stringify(body)).not.toMatch(/secret|5432|terminat|ECONN/);
    expect(logged).toHaveLength(1);
  });

  it('any other error stays a 500', () => {
    expect(answer(pgError('42P01', 'relation "x" does not exist')).status).toBe(500);
    expect(answer(new TypeError('undefined is not a function')).status).toBe(500);
  });
});
