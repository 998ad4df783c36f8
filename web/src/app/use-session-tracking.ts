import { useEffect } from 'react';
import { useDuetClient } from '../data/index.ts';
import type { Route } from './routes.ts';

/** Keeps a session open while the app is visible, and records browsing and review visits. */
export function useSessionTracking(route: Route): void {
  const { sessionTracker } = useDuetClient();
  useEffect(() => sessionTracker.attach(), [sessionTracker]);
  useEffect(() => {
    const kind = route.name === 'sessions' ? 'review' : route.name === 'conversations' || route.name === 'conversation' ? 'browse' : null;
    if (kind) void sessionTracker.recordActivity(kind).catch(() => undefined);
  }, [sessionTracker, route.name]);
}
