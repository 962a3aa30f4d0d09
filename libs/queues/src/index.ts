export * from './queues.js';
export * from './retry.js';
