// Secrets never reach a log line: headers that carry them, and any field named like one, at any depth we log.
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-forgejo-signature"]',
  'req.headers["x-gitea-signature"]',
  'req.headers["x-gogs-signature"]',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.webhookSecret',
  '*.secret',
  '*.forgejoApiToken',
  '*.adminPassword',
  '*.authorization',
  '*.Authorization',
];
