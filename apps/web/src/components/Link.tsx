import type { ComponentChildren } from 'preact';
import { navigate } from '../router.js';

/** A real link that the router follows without a page load (new tabs and modified clicks stay the browser's). */
export function Link({ href, children, class: className }: { href: string; children: ComponentChildren; class?: string }) {
  const follow = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={follow} class={className}>
      {children}
    </a>
  );
}
