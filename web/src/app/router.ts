/** A router without a library: the History API plus a hook that re-renders on navigation. */
import { startTransition, useEffect, useState } from 'react';
import { parseRoute } from './routes.ts';
import type { Route } from './routes.ts';

const NAVIGATE_EVENT = 'duet:navigate';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('popstate', onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener('popstate', onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

const currentHref = () => window.location.pathname + window.location.search;

/** Goes to a path inside the app without reloading; `replace` keeps history short for redirects. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (path === currentHref()) return;
  if (options.replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  window.scrollTo(0, 0);
}

/**
 * The current location as a string, so React compares snapshots cheaply. A navigation renders the
 * next screen as a transition: React renders it in slices between other work (a sync's pages, a
 * tap) instead of in one long task, and the current screen stays until the next one is ready.
 */
export function useLocationHref(): string {
  const [href, setHref] = useState(currentHref);
  useEffect(() => {
    const update = () => startTransition(() => setHref(currentHref()));
    // A navigation between the first render and this subscription.
    update();
    return subscribe(update);
  }, []);
  return href;
}

export function useRoute(): Route {
  const href = useLocationHref();
  const url = new URL(href, 'http://app.invalid');
  return parseRoute(url.pathname, url.search);
}
