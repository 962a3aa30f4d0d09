import type { Route, RouteSpec } from './routes.js';
import { ROUTES } from './routes.js';
import type { ApiErrorBody } from './types.js';

/** An API answer other than the route's success status, with the API's own message. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface CallOptions<Req> {
  params?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  body?: Req;
}

let onSignedOut: () => void = () => {};

/** What to do when the API says the session is gone (401 on any route but login and "who am I"). */
export function whenSignedOut(handler: () => void): void {
  onSignedOut = handler;
}

// For these a 401 is an answer the page shows (bad credentials, not signed in yet), not a lost session.
const answers401 = new Set<RouteSpec>([ROUTES.login, ROUTES.me]);

function urlOf(route: RouteSpec, { params = {}, query = {} }: CallOptions<unknown>): string {
  const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined && value !== '') search.set(name, String(value));
  const qs = search.toString();
  return qs ? `${path}?${qs}` : path;
}

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as Partial<ApiErrorBody> | null;
  const message = typeof body?.message === 'string' ? body.message : `${response.status} ${response.statusText}`.trim();
  return new ApiError(response.status, message);
}

/** One API call: JSON both ways, the session cookie sent, the route's success status or an ApiError. */
export async function call<Req, Res>(route: Route<Req, Res>, options: CallOptions<Req> = {}): Promise<Res> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(urlOf(route, options), {
      method: route.method,
      credentials: 'same-origin',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
  } catch {
    throw new ApiError(0, 'The service cannot be reached. Check your connection and try again.');
  }
  if (response.status === route.status) {
    return (response.status === 204 ? undefined : await response.json()) as Res;
  }
  const error = await errorOf(response);
  if (error.status === 401 && !answers401.has(route)) onSignedOut();
  throw error;
}
