import { useEffect, useRef } from 'react';
import { useDuetClient } from '../data/index.ts';
import type { Route } from './routes.ts';

/**
 * Follows the visit, and records browsing and review when the person moves to another screen. The
 * screen the app opens on is not an activity: opening the app and leaving is not a session.
 */
export function useSessionTracking(route: Route): void {
  const { sessionTracker } = useDuetClient();
  const firstRoute = useRef<string | null>(route.name);
  useEffect(() => sessionTracker.attach(), [sessionTracker]);
  useEffect(() => {
    if (firstRoute.current === route.name) return;
    firstRoute.current = null;
    const kind = route.name === 'sessions' ? 'review' : route.name === 'conversations' || route.name === 'conversation' ? 'browse' : null;
    if (kind) void sessionTracker.recordActivity(kind).catch(() => undefined);
  }, [sessionTracker, route.name]);
}
