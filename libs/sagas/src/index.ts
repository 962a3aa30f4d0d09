export * from './saga.js';
export * from './job-queues.js';
export * from './sagas.module.js';
