// Pure parts; the Nest module is sagas.module.ts.
export * from './saga.js';
export * from './job-queues.js';
