// The pure parts: what the logs never show, the Redis ping, the error body's shape. The Nest pieces (the logger
// module, request logging, /health, the error filter) are nest.ts.
export * from './redaction.js';
export * from './redis-ping.js';
export type { ErrorBody } from './http-exception.filter.js';
