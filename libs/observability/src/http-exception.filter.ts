import { Catch, HttpException, HttpStatus, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { isConnectionError } from '../../database/src/connection-errors.js';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

function messageOf(response: unknown, fallback: string): string {
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown })?.message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : fallback;
}

/** Every error leaves as {statusCode, error, message}; nothing unexpected leaks a stack or detail. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: PinoLogger) {
    logger.setContext('HttpExceptionFilter');
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let body: ErrorBody;
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      body = { statusCode, error: REASONS[statusCode] ?? 'Error', message: messageOf(exception.getResponse(), exception.message) };
    } else if (isClientError(exception)) {
      // errors Fastify raises itself (body too large, malformed JSON, bad content type)
      const statusCode = exception.statusCode;
      body = { statusCode, error: REASONS[statusCode] ?? 'Error', message: exception.message };
    } else if (isConnectionError(exception)) {
      // Postgres is away or cut the session: the client may try again; what failed stays in the log
      this.logger.warn({ err: exception }, 'database unavailable');
      body = { statusCode: 503, error: REASONS[503], message: 'The service is temporarily unavailable; try again shortly' };
    } else {
      this.logger.error({ err: exception }, 'unhandled error');
      body = { statusCode: 500, error: REASONS[500], message: 'Internal server error' };
    }
    if (body.statusCode === HttpStatus.TOO_MANY_REQUESTS && exception instanceof HttpException) {
      const retryAfter = (exception.getResponse() as { retryAfter?: number })?.retryAfter;
      if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
    }
    reply.status(body.statusCode).send(body);
  }
}

function isClientError(error: unknown): error is { statusCode: number; message: string } {
  const statusCode = (error as { statusCode?: unknown })?.statusCode;
  return typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
}
