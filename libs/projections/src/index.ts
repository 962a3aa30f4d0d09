// Pure parts and the runner; the Nest module is projections.module.ts.
export * from './projection.js';
export * from './checkpoints.js';
export * from './projection-progress.js';
export * from './projection-runner.js';
export * from './apply-or-park.js';
export * from './parked-events.js';
export * from './inline-projection.js';
