export * from './logger.js';
export * from './request-logging.js';
export * from './redis-ping.js';
export * from './health.controller.js';
export * from './http-exception.filter.js';
