export * from './webhooks.module.js';
export * from './forgejo-webhooks.service.js';
export * from './forgejo-delivery.js';
export * from './signature.js';
