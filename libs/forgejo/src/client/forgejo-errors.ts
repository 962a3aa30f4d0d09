/** Worth trying again later: the network, a timeout, a 429 (with its Retry-After) or a 5xx. */
export class TemporaryForgejoError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'TemporaryForgejoError';
  }
}

/** Trying again would fail the same way: any other 4xx (bad token, missing repo, validation). */
export class PermanentForgejoError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'PermanentForgejoError';
  }
}
