import { fileURLToPath } from 'node:url';

// From the sources (tests, the .ts loader) this file is apps/api/src/web/web-dist.ts; compiled it is
// dist/apps/api/src/web/web-dist.js, run from the repo root (npm start) or /app in the image: either way the
// web app's build is apps/web/dist under the root.
const compiled = import.meta.url.endsWith('.js');

/** Where `npm run build:web` puts the web app: index.html and assets/. */
export const WEB_DIST = fileURLToPath(new URL(compiled ? '../../../../../apps/web/dist' : '../../../web/dist', import.meta.url));
