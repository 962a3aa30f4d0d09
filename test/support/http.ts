/** A small JSON client for the API under test: status, parsed body and the raw text. */
export interface Reply<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  { token, body, headers = {} }: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply<T>> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (token) (init.headers as Record<string, string>).authorization = `Bearer ${token}`;
  if (body !== undefined) {
    (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const response = await fetch(`${baseUrl}${path}`, init);
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, text, headers: response.headers };
}

let counter = 0;
/** A fresh email per call, unique across test files running at once. */
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter}@example.com`;
}

/** Registers and logs in a new customer; returns its token and account. */
export async function newCustomer(baseUrl: string, prefix = 'customer'): Promise<{ token: string; id: string; email: string }> {
  const email = uniqueEmail(prefix);
  const password = 'correct horse battery';
  const registered = await call(baseUrl, 'POST', '/auth/register', { body: { email, password } });
  if (registered.status !== 201) throw new Error(`register failed: ${registered.status} ${registered.text}`);
  const login = await call(baseUrl, 'POST', '/auth/login', { body: { email, password } });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${login.text}`);
  return { token: login.body.token, id: registered.body.id, email };
}

export const ADMIN = { email: 'admin@example.com', password: 'admin password 1' };
export const adminEnv = { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password };

export async function adminToken(baseUrl: string): Promise<string> {
  const login = await call(baseUrl, 'POST', '/auth/login', { body: ADMIN });
  if (login.status !== 200) throw new Error(`admin login failed: ${login.status} ${login.text}`);
  return login.body.token;
}

export async function createRepo(baseUrl: string, token: string, slug: string): Promise<void> {
  const created = await call(baseUrl, 'POST', '/admin/repos', {
    token,
    body: { slug, owner: 'acme', name: 'support-desk', webhookSecret: 'forgejo-fixture-secret' },
  });
  if (created.status !== 201) throw new Error(`repo create failed: ${created.status} ${created.text}`);
}
