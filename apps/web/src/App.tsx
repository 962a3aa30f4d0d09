import type { ComponentChildren } from 'preact';
import { useEffect } from 'preact/hooks';
import type { Account } from './api/types.js';
import { Alert } from './components/Alert.js';
import { Layout } from './components/Layout.js';
import { AdminOnly } from './pages/admin/AdminOnly.js';
import { AllTickets } from './pages/admin/AllTickets.js';
import { Rebuild } from './pages/admin/Rebuild.js';
import { Repos } from './pages/admin/Repos.js';
import { SyncFailures } from './pages/admin/SyncFailures.js';
import { TicketHistory } from './pages/admin/TicketHistory.js';
import { NewTicket } from './pages/customer/NewTicket.js';
import { Register } from './pages/customer/Register.js';
import { SignIn } from './pages/customer/SignIn.js';
import { TicketList } from './pages/customer/TicketList.js';
import { TicketPage } from './pages/customer/TicketPage.js';
import { NotFound } from './pages/NotFound.js';
import { match, navigate, usePath } from './router.js';
import { loadSession, requireSignIn, useSession } from './session.js';

const PUBLIC_PAGES = new Set(['/app/sign-in', '/app/register']);

function signedInPage(path: string, account: Account): ComponentChildren {
  const admin = (page: ComponentChildren) => <AdminOnly account={account}>{page}</AdminOnly>;
  return (
    match<ComponentChildren>(path, [
      [/^\/app\/tickets\/?$/, () => <TicketList />],
      [/^\/app\/tickets\/new\/?$/, () => <NewTicket />],
      [/^\/app\/tickets\/(?<id>[^/]+)\/?$/, ({ id }) => <TicketPage key={id} id={id} />],
      [/^\/app\/admin\/repos\/?$/, () => admin(<Repos />)],
      [/^\/app\/admin\/tickets\/?$/, () => admin(<AllTickets />)],
      [/^\/app\/admin\/tickets\/(?<id>[^/]+)\/?$/, ({ id }) => admin(<TicketHistory key={id} id={id} />)],
      [/^\/app\/admin\/sync-failures\/?$/, () => admin(<SyncFailures />)],
      [/^\/app\/admin\/rebuild\/?$/, () => admin(<Rebuild />)],
    ]) ?? <NotFound />
  );
}

export function App() {
  const path = usePath();
  const session = useSession();
  useEffect(() => void loadSession(), []);

  const signedIn = session.status === 'signed-in';
  // where the path leads given the session: "/" and the sign-in pages move on once it is known who is here
  const redirect =
    session.status === 'signed-in' && (path === '/' || path === '/app' || path === '/app/' || PUBLIC_PAGES.has(path))
      ? '/app/tickets'
      : session.status === 'signed-out' && !PUBLIC_PAGES.has(path)
        ? 'sign-in'
        : null;
  useEffect(() => {
    if (redirect === 'sign-in') requireSignIn(path);
    else if (redirect) navigate(redirect, { replace: true });
  }, [redirect, path]);

  let page: ComponentChildren = null;
  if (session.status === 'unavailable') {
    page = (
      <>
        <h1>Ticket bridge</h1>
        <Alert message={session.message} />
        <button type="button" onClick={() => void loadSession()}>
          Try again
        </button>
      </>
    );
  } else if (!redirect && session.status === 'signed-out') {
    page = path === '/app/register' ? <Register /> : <SignIn />;
  } else if (!redirect && session.status === 'signed-in') {
    page = signedInPage(path, session.account);
  }
  return (
    <Layout account={signedIn ? session.account : null} path={path}>
      {page}
    </Layout>
  );
}
