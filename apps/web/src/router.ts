// A tiny router over history.pushState: the path is the state, and every change notifies the subscribed views.
import { useEffect, useState } from 'preact/hooks';

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((listener) => listener());
window.addEventListener('popstate', notify);

export function currentPath(): string {
  return window.location.pathname;
}

export function navigate(path: string, { replace = false } = {}): void {
  if (path !== currentPath() + window.location.search) {
    if (replace) window.history.replaceState(null, '', path);
    else window.history.pushState(null, '', path);
  }
  notify();
}

/** The current path; re-renders the caller when it changes. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    listeners.add(update);
    return () => void listeners.delete(update);
  }, []);
  return path;
}

/** The named groups of the first pattern that matches `path` in full, with its view. */
export function match<V>(path: string, table: [RegExp, (params: Record<string, string>) => V][]): V | null {
  for (const [pattern, view] of table) {
    const found = pattern.exec(path);
    if (found) return view(Object.fromEntries(Object.entries(found.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)])));
  }
  return null;
}
