/** The app's routes as plain paths (deep-linkable; the service worker serves index.html for them). */
export type Route =
  | { name: 'conversations'; archived: boolean }
  | { name: 'conversation'; id: string }
  | { name: 'transcripts' }
  | { name: 'sessions' }
  | { name: 'partner'; code?: string }
  | { name: 'settings' }
  | { name: 'search' }
  | { name: 'login' }
  | { name: 'signup' }
  | { name: 'forgotPassword' }
  | { name: 'resetPassword'; token: string }
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
    // The links of the emails: /partner?code=… (the accept screen, code filled in) and /reset-password?token=….
    const query = new URLSearchParams(search);
    if (first === 'partner' && query.get('code')) return { name: 'partner', code: query.get('code') ?? '' };
    if (first === 'forgot-password') return { name: 'forgotPassword' };
    if (first === 'reset-password') return { name: 'resetPassword', token: query.get('token') ?? '' };
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
    case 'partner':
      return route.code ? `/partner?code=${encodeURIComponent(route.code)}` : '/partner';
    case 'forgotPassword':
      return '/forgot-password';
    case 'resetPassword':
      return `/reset-password?token=${encodeURIComponent(route.token)}`;
    default:
      return `/${route.name}`;
  }
}
