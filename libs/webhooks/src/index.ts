// Pure parts and the service; the Nest module is webhooks.module.ts.
export * from './forgejo-webhooks.service.js';
export * from './forgejo-delivery.js';
export * from './signature.js';
