/** The app's routes as plain paths (deep-linkable; the service worker serves index.html for them). */
export type Route =
  | { name: 'conversations'; archived: boolean }
  | { name: 'conversation'; id: string }
  | { name: 'transcripts' }
  | { name: 'sessions' }
  | { name: 'partner' }
  | { name: 'settings' }
  | { name: 'search' }
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'notFound' };

export function parseRoute(pathname: string, search = ''): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (!first) return { name: 'conversations', archived: false };
  if (first === 'conversations') {
    if (second && parts.length === 2) return { name: 'conversation', id: second };
    if (parts.length === 1) return { name: 'conversations', archived: new URLSearchParams(search).has('archived') };
  }
  if (parts.length === 1) {
    if (first === 'transcripts' || first === 'sessions' || first === 'partner' || first === 'settings') return { name: first };
    if (first === 'login' || first === 'signup') return { name: first };
    if (first === 'search') return { name: 'search' };
  }
  return { name: 'notFound' };
}

export function routePath(route: Route): string {
  switch (route.name) {
    case 'conversations':
      return route.archived ? '/conversations?archived' : '/conversations';
    case 'conversation':
      return `/conversations/${encodeURIComponent(route.id)}`;
    case 'notFound':
      return '/';
    default:
      return `/${route.name}`;
  }
}
