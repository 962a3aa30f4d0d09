import helmet from '@fastify/helmet';
import type { FastifyInstance, RouteOptions } from 'fastify';

/** The Content-Security-Policy of every response (the web contract): scripts and styles only from this service. */
export const CSP_DIRECTIVES: Record<string, string[]> = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/**
 * Swagger UI's HTML page (written by @nestjs/swagger, not here) carries an inline <style> block (box-sizing,
 * margins) and a style attribute that hides its SVG icon sprite; without them the page shows an empty box on top
 * and loses its layout. It shows no user content, so its own page, and only it, may have inline styles.
 * Its scripts are files: script-src stays 'self'.
 */
const SWAGGER_UI_PAGES = new Set(['/docs', '/docs/', '/docs/index.html']);

/** Route config for @fastify/helmet: the global policy with inline styles allowed (never inline scripts). */
export function allowInlineStyles(route: RouteOptions): void {
  const directives = { ...CSP_DIRECTIVES, 'style-src': ["'self'", "'unsafe-inline'"] };
  route.config = { ...route.config, helmet: { contentSecurityPolicy: { useDefaults: false, directives } } } as RouteOptions['config'];
}

/**
 * Helmet's headers on every response, with the policy above (no upgrade-insecure-requests: tests and small
 * installs serve plain http), X-Frame-Options DENY to match frame-ancestors 'none', no referrer. Registered before
 * any route: the per-route exceptions are set as routes are added. Pages that set their own stricter policy (the
 * reopen link's) keep it: a reply's own headers win over helmet's.
 */
export async function registerSecurityHeaders(fastify: FastifyInstance): Promise<void> {
  fastify.addHook('onRoute', (route) => {
    if (SWAGGER_UI_PAGES.has(route.url ?? '')) allowInlineStyles(route);
  });
  await fastify.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
