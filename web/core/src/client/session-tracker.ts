/**
 * Turns app visits into session.start / session.activity / session.end mutations. A session
 * starts on a visit (or the first activity), ends when the app is hidden or after 30 minutes
 * without activity. Each activity kind is recorded at most once a minute per session: the server
 * keeps the union of kinds and the last activity time, so more would only fill the outbox.
 * Tracking never throws at the UI: a failed write (signed out, disk full) is reported to onError.
 */
import type { ActivityKind, MutationArgs, MutationName } from '@duet/shared';
import type { Clock, Signal, Timers, TimerHandle } from '../sync/platform.ts';
import type { SessionTracker } from './types.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const ACTIVITY_THROTTLE_MS = 60_000;

export interface SessionTrackerDeps {
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<void>;
  newId: () => string;
  clock: Clock;
  timers: Timers;
  visibility: Signal;
  idleMs?: number;
  activityThrottleMs?: number;
  onError?: (error: unknown) => void;
}

interface OpenSession {
  id: string;
  startedAt: number;
  lastRecorded: Map<ActivityKind, number>;
}

export function createSessionTracker(deps: SessionTrackerDeps): SessionTracker {
  const idleMs = deps.idleMs ?? SESSION_IDLE_MS;
  const throttleMs = deps.activityThrottleMs ?? ACTIVITY_THROTTLE_MS;
  let open: OpenSession | null = null;
  let idleTimer: TimerHandle | null = null;

  const write = async <N extends MutationName>(name: N, args: MutationArgs<N>): Promise<boolean> => {
    try {
      await deps.mutate(name, args);
      return true;
    } catch (error) {
      deps.onError?.(error);
      return false;
    }
  };

  const clearIdle = () => {
    if (idleTimer !== null) deps.timers.clearTimeout(idleTimer);
    idleTimer = null;
  };

  const armIdle = () => {
    clearIdle();
    idleTimer = deps.timers.setTimeout(() => {
      idleTimer = null;
      void tracker.end();
    }, idleMs);
  };

  const tracker: SessionTracker = {
    async start() {
      if (open) return;
      // Set before the write so a second call during it does not open another session.
      const session: OpenSession = { id: deps.newId(), startedAt: deps.clock.now(), lastRecorded: new Map() };
      open = session;
      armIdle();
      const ok = await write('session.start', { id: session.id, startedAt: session.startedAt });
      if (!ok && open === session) {
        open = null;
        clearIdle();
      }
    },

    async recordActivity(kind) {
      if (!open) await tracker.start();
      const session = open;
      if (!session) return;
      const now = deps.clock.now();
      armIdle();
      const last = session.lastRecorded.get(kind);
      if (last !== undefined && now - last < throttleMs) return;
      session.lastRecorded.set(kind, now);
      await write('session.activity', { id: session.id, kind, at: now });
    },

    async end() {
      const session = open;
      if (!session) return;
      open = null;
      clearIdle();
      await write('session.end', { id: session.id, endedAt: Math.max(deps.clock.now(), session.startedAt) });
    },

    attach() {
      if (deps.visibility.get()) void tracker.start();
      const unsubscribe = deps.visibility.subscribe((visible) => {
        void (visible ? tracker.start() : tracker.end());
      });
      return () => {
        unsubscribe();
        clearIdle();
      };
    },

    current() {
      return open ? { id: open.id, startedAt: open.startedAt } : null;
    },
  };
  return tracker;
}
