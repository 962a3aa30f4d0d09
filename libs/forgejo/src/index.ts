export * from './forgejo-client.js';
export * from './forgejo-errors.js';
export * from './issue-bodies.js';
export * from './forgejo-sagas.js';
export * from './forgejo-sync.module.js';
export * from './sync-sweep.js';
export * from './resync/resync.module.js';
