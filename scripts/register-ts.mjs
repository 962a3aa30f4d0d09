// `node --import ./scripts/register-ts.mjs file.ts`: runs the TypeScript sources directly (swc, with decorator
// metadata for Nest's DI), so that `npm start`, the admin CLI and test child processes need no build step.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
