import { Link } from '../components/Link.js';
import { usePageTitle } from '../page-title.js';

export function NotFound() {
  usePageTitle('Page not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. Go to <Link href="/app/tickets">your tickets</Link>.
      </p>
    </>
  );
}
