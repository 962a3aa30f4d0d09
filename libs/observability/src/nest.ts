// The Nest pieces the apps and the feature libs use; the pure parts are index.ts.
export * from './health.controller.js';
export * from './http-exception.filter.js';
export * from './logger.js';
export * from './request-logging.js';
