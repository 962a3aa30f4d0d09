/*
 * The ceiling of `npm run bench:api`: a bare Fastify server, no Nest, no auth, no validation, no logging, with
 * a pg pool of the API's size on the same database. Two routes, one statement each:
 *   POST /insert      INSERT INTO ceiling_insert (data) VALUES ($1)   the request body as jsonb; 201 {id}
 *   GET  /select/:id  SELECT by primary key from ceiling_select       200 with the row, 404 if none
 * bench/api.ts creates and fills both tables and runs this from dist/ like the API. Env: PORT, DATABASE_URL,
 * POOL_MAX (default: createPool's default).
 */
import Fastify from 'fastify';
import { createPool } from '../libs/database/src/index.js';

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required');
const pool = process.env.POOL_MAX ? createPool(databaseUrl, Number(process.env.POOL_MAX)) : createPool(databaseUrl);

const app = Fastify({ logger: false, bodyLimit: 1024 * 1024 });

app.get('/health', async () => ({ status: 'ok' }));

app.post('/insert', async (request, reply) => {
  const { rows } = await pool.query<{ id: string }>('INSERT INTO ceiling_insert (data) VALUES ($1) RETURNING id', [
    JSON.stringify(request.body),
  ]);
  return reply.code(201).send({ id: rows[0].id });
});

app.get<{ Params: { id: string } }>('/select/:id', async (request, reply) => {
  const { rows } = await pool.query('SELECT * FROM ceiling_select WHERE id = $1', [request.params.id]);
  if (rows.length === 0) return reply.code(404).send({ statusCode: 404, message: 'not found' });
  return rows[0];
});

const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
process.once('SIGINT', () => void stop());

await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
