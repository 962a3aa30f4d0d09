export * from './projection.js';
export * from './checkpoints.js';
export * from './projection-progress.js';
export * from './projection-runner.js';
export * from './projections.module.js';
export * from './apply-or-park.js';
export * from './parked-events.js';
