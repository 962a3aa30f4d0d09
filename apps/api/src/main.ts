import 'reflect-metadata';
import { loadConfigOrExit } from '../../../libs/config/src/index.js';

// Configuration first, framework after: a bad variable stops the start at once with one line.
const config = loadConfigOrExit();
const { createApi, drainOnSignals } = await import('./create-api.js');
const app = await createApi(config);
drainOnSignals(app, (code) => process.exit(code));
await app.listen({ port: config.port, host: '0.0.0.0' });
app.get((await import('nestjs-pino')).Logger).log(`listening on ${await app.getUrl()}`);
