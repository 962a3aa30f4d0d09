import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type Config } from '../../libs/config/src/index.js';
import { createApi } from '../../apps/api/src/create-api.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestApi {
  url: string;
  app: NestFastifyApplication;
  db: TestDatabase;
  config: Config;
  close(): Promise<void>;
}

/** The real API, in-process on a free port, over a database of its own; env-style overrides on top. */
export async function startTestApi(env: Record<string, string> = {}, db?: TestDatabase): Promise<TestApi> {
  const database = db ?? (await createTestDatabase('api'));
  const config = loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: 'error', ...env });
  const app = await createApi(config);
  await app.listen({ port: 0, host: '127.0.0.1' });
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
