import type { ComponentChildren } from 'preact';
import type { Account } from '../../api/types.js';
import { usePageTitle } from '../../page-title.js';

function NotAnAdmin() {
  usePageTitle('Admins only');
  return (
    <>
      <h1>Admins only</h1>
      <p>This page is for the team's admins. Your account is a customer account.</p>
    </>
  );
}

/** Admin pages render (and fetch) nothing for anyone else. */
export function AdminOnly({ account, children }: { account: Account; children: ComponentChildren }) {
  return account.role === 'admin' ? <>{children}</> : <NotAnAdmin />;
}
