import { HttpException, HttpStatus } from '@nestjs/common';

/** 429 in the standard error shape; the exception filter turns `retryAfter` into the `Retry-After` header. */
export function tooManyRequests(retryAfterSeconds: number): HttpException {
  return new HttpException(
    {
      statusCode: HttpStatus.TOO_MANY_REQUESTS,
      message: `Too many requests, retry in ${retryAfterSeconds} s`,
      retryAfter: retryAfterSeconds,
    },
    HttpStatus.TOO_MANY_REQUESTS,
  );
}
