// Who is signed in, as GET /auth/me says. The token lives only in the HttpOnly cookie the server sets.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, whenSignedOut } from './api/client.js';
import * as api from './api/calls.js';
import type { Account, Credentials } from './api/types.js';
import { currentPath, navigate } from './router.js';

export type SessionState =
  | { status: 'loading' }
  | { status: 'signed-out' }
  | { status: 'signed-in'; account: Account }
  | { status: 'unavailable'; message: string };

let state: SessionState = { status: 'loading' };
const listeners = new Set<() => void>();
// where to go back to after signing in, when a page sent the user to the sign-in page
let returnTo: string | null = null;

function set(next: SessionState): void {
  state = next;
  listeners.forEach((listener) => listener());
}

export function useSession(): SessionState {
  const [current, setCurrent] = useState(state);
  useEffect(() => {
    const update = () => setCurrent(state);
    listeners.add(update);
    update();
    return () => void listeners.delete(update);
  }, []);
  return current;
}

export async function loadSession(): Promise<void> {
  try {
    set({ status: 'signed-in', account: await api.me() });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) set({ status: 'signed-out' });
    else set({ status: 'unavailable', message: error instanceof Error ? error.message : String(error) });
  }
}

export async function signIn(credentials: Credentials): Promise<void> {
  await api.login(credentials);
  set({ status: 'signed-in', account: await api.me() });
  const next = returnTo ?? '/app/tickets';
  returnTo = null;
  navigate(next, { replace: true });
}

export async function signOut(): Promise<void> {
  try {
    await api.logout();
  } finally {
    set({ status: 'signed-out' });
    navigate('/app/sign-in');
  }
}

/** Sends a signed-out visitor of `path` to the sign-in page, to come back after signing in. */
export function requireSignIn(path: string): void {
  if (path.startsWith('/app/') && path !== '/app/tickets') returnTo = path;
  navigate('/app/sign-in', { replace: true });
}

whenSignedOut(() => {
  if (state.status === 'signed-out') return;
  set({ status: 'signed-out' });
  requireSignIn(currentPath());
});
