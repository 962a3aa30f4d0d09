// The configuration itself; the Nest module is config.module.ts.
export * from './config.js';
