// Pure parts and injectables; the Nest module is forgejo-sync.module.ts.
export * from './forgejo-client.js';
export * from './forgejo-errors.js';
export * from './issue-bodies.js';
export * from './forgejo-sagas.js';
export * from './sync-sweep.js';
