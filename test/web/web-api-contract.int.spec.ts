import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ROUTES, type RouteSpec } from '../../apps/web/src/api/routes.js';
import { startTestApi, type TestApi } from '../support/api.js';
import { call } from '../support/http.js';

// The SPA's route table (apps/web/src/api/routes.ts) against the API's own OpenAPI document: every route the SPA
// calls exists with that method and success status, and every field its types send or read is documented.

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  allOf?: Schema[];
  additionalProperties?: unknown;
};
type Operation = {
  parameters?: { name: string; in: string }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Schema }> }>;
};
type OpenApi = { paths: Record<string, Record<string, Operation>>; components?: { schemas?: Record<string, Schema> } };

let api: TestApi;
let doc: OpenApi;

beforeAll(async () => {
  api = await startTestApi();
  const reply = await call<OpenApi>(api.url, 'GET', '/docs-json');
  expect(reply.status).toBe(200);
  doc = reply.body;
});

afterAll(async () => {
  await api?.close();
});

function resolve(schema: Schema | undefined): Schema | undefined {
  let current = schema;
  for (let hops = 0; current?.$ref && hops < 20; hops += 1) {
    current = doc.components?.schemas?.[current.$ref.replace('#/components/schemas/', '')];
  }
  if (current?.allOf) {
    const parts = current.allOf.map(resolve);
    return { type: 'object', properties: Object.assign({}, ...parts.map((part) => part?.properties ?? {})) };
  }
  return current;
}

/** The fields of `shape` that `schema` does not name, as dotted paths. */
function missingInSchema(shape: object, schema: Schema | undefined, at: string): string[] {
  const resolved = resolve(schema);
  if (Array.isArray(shape)) {
    if (resolved?.type !== 'array') return [`${at || '(body)'} is not documented as an array`];
    return missingInSchema(shape[0] as object, resolved.items, `${at}[]`);
  }
  return Object.entries(shape).flatMap(([field, inner]) => {
    const path = at ? `${at}.${field}` : field;
    const property = resolved?.properties?.[field];
    if (!property) return [path];
    return inner === true ? [] : missingInSchema(inner as object, property, path);
  });
}

/** Where a response is documented by its description alone, each field must at least be named there. */
function missingInDescription(shape: object, description: string, at: string): string[] {
  const entries = Array.isArray(shape) ? Object.entries(shape[0] as object) : Object.entries(shape);
  return entries.flatMap(([field, inner]) => {
    const path = at ? `${at}.${field}` : field;
    const named = new RegExp(`\\b${field}\\b`).test(description);
    const own = named ? [] : [path];
    return inner === true ? own : [...own, ...missingInDescription(inner as object, description, path)];
  });
}

const jsonSchema = (content: Record<string, { schema?: Schema }> | undefined) => content?.['application/json']?.schema;

describe('the web app calls only documented API routes, with documented fields', () => {
  const routes = Object.entries(ROUTES) as [string, RouteSpec][];

  test('the route table is not empty', () => {
    expect(routes.length).toBeGreaterThan(15);
  });

  test('a field the document lacks is reported', () => {
    const schema = jsonSchema(doc.paths['/auth/me'].get.responses?.['200']?.content);
    expect(missingInSchema({ id: true, nickname: true }, schema, '')).toEqual(['nickname']);
  });

  test.each(routes)('%s', (_name, route) => {
    const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
    expect({ route: `${route.method} ${route.path}`, documented: operation !== undefined }).toEqual({
      route: `${route.method} ${route.path}`,
      documented: true,
    });
    const problems: string[] = [];

    const queryParameters = new Set((operation!.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
    for (const name of route.query ?? []) if (!queryParameters.has(name)) problems.push(`query parameter ${name} is not documented`);

    if (route.request) {
      const schema = jsonSchema(operation!.requestBody?.content);
      if (!schema) problems.push('the request body has no documented schema');
      else for (const field of missingInSchema(route.request, schema, '')) problems.push(`request field ${field} is not documented`);
    }

    const response = operation!.responses?.[String(route.status)];
    if (!response) problems.push(`status ${route.status} is not documented`);
    else if (route.response) {
      const schema = jsonSchema(response.content);
      const missing = schema
        ? missingInSchema(route.response, schema, '')
        : missingInDescription(route.response, response.description ?? '', '');
      for (const field of missing) problems.push(`response field ${field} is not documented${schema ? '' : ' (no schema, nor in the description)'}`);
    }

    expect(problems).toEqual([]);
  });
});
