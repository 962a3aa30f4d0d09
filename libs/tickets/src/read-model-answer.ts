import { ServiceUnavailableException } from '@nestjs/common';

/**
 * What a POST answers: the read model's row, which the command waited for. Only when the read models lagged past
 * that bounded wait is there none yet; the write itself is safe in the event log, and a GET shows it shortly.
 */
export function readModelAnswer<T>(row: T | null): T {
  if (row === null) throw new ServiceUnavailableException('saved, but the read models are catching up: GET it again shortly');
  return row;
}
