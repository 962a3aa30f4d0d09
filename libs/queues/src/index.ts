// Queue names and the retry policy; the Nest module is queues.module.ts.
export * from './queue-names.js';
export * from './retry.js';
