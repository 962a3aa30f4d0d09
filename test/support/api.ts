import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type Config } from '../../libs/config/src/index.js';
import { createApi } from '../../apps/api/src/create-api.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { freePort } from './ports.js';

export interface TestApi {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  config: Config;
  close(): Promise<void>;
}

export interface TestApiOptions {
  /**
   * BASE_URL is the URL the API listens on (`http://127.0.0.1:<port>`), as for a browser: the session cookie's
   * Origin check then accepts the API's own pages. Takes a port that was free a moment ago.
   */
  baseUrlIsServed?: boolean;
}

/** The real API, in-process on a free port, over a database of its own; env-style overrides on top. */
export async function startTestApi(env: Record<string, string> = {}, db?: TestDatabase, options: TestApiOptions = {}): Promise<TestApi> {
  const database = db ?? (await createTestDatabase('api'));
  const listenPort = options.baseUrlIsServed ? await freePort() : 0;
  const served = options.baseUrlIsServed ? { BASE_URL: `http://127.0.0.1:${listenPort}` } : {};
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'error', ...env, ...served });
  const app = await createApi(config);
  await app.listen({ port: listenPort, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    db: database,
    config,
    async close() {
      await app.close();
      if (!db) await database.drop();
    },
  };
}
