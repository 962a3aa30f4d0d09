import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Account } from '../api/types.js';
import { signOut } from '../session.js';
import { Link } from './Link.js';

function MainNav({ account, path }: { account: Account; path: string }) {
  const links: [string, string][] = [
    ['/app/tickets', 'Tickets'],
    ['/app/tickets/new', 'New ticket'],
  ];
  if (account.role === 'admin') {
    links.push(
      ['/app/admin/repos', 'Repos'],
      ['/app/admin/tickets', 'All tickets'],
      ['/app/admin/sync-failures', 'Sync failures'],
      ['/app/admin/rebuild', 'Rebuild'],
    );
  }
  return (
    <nav aria-label="Main" class="nav">
      <ul>
        {links.map(([href, label]) => (
          <li key={href} class={path === href ? 'current' : undefined}>
            <Link href={href}>{label}</Link>
          </li>
        ))}
        {account.role === 'admin' && (
          <li>
            {/* Bull Board is the server's own page: a full page load */}
            <a href="/admin/queues">Queues</a>
          </li>
        )}
      </ul>
      <div class="account">
        <span class="account-email">{account.email}</span>
        <button type="button" class="button-small" onClick={() => void signOut()}>
          Sign out
        </button>
      </div>
    </nav>
  );
}

export function Layout({ account, path, children }: { account: Account | null; path: string; children: ComponentChildren }) {
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // after a client-side navigation, keyboard and screen-reader users start at the new page's content
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="header">
        <div class="header-inner">
          <Link href="/" class="brand">
            Ticket bridge
          </Link>
          {account && <MainNav account={account} path={path} />}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} class="main">
        {children}
      </main>
    </>
  );
}
