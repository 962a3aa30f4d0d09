/** Builds the web app (apps/web → apps/web/dist) unless the last build still stands: for tests that serve it. */
export async function ensureWebAppBuilt(): Promise<void> {
  // @ts-expect-error: a plain .mjs script, without type declarations
  const { buildWeb } = (await import('../../scripts/build-web.mjs')) as { buildWeb: () => Promise<boolean> };
  await buildWeb();
}
