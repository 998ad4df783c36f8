/**
 * Turns visits into session.start / session.activity / session.end mutations. A session is one
 * visit in which the person did something: it is written at the first activity (a visit with none
 * is not counted), and a reload, a route change or a trip to the background continue it while less
 * than 30 minutes passed since the app was last in use; after that the visit is over and ends at
 * that moment. The open visit is kept in a small store (localStorage in the browser) so that a
 * reload continues it. Each activity kind is recorded at most once a minute per session: the
 * server keeps the union of kinds and the last activity time, so more would only fill the outbox.
 * Tracking never throws at the UI: a failed write (signed out, disk full) is reported to onError.
 */
import type { ActivityKind, MutationArgs, MutationName } from '@duet/shared';
import { ACTIVITY_KINDS } from '@duet/shared';
import type { Clock, Signal, Timers, TimerHandle } from '../sync/platform.ts';
import type { SessionTracker } from './types.ts';

export const SESSION_IDLE_MS = 30 * 60_000;
export const ACTIVITY_THROTTLE_MS = 60_000;

/** The open visit as kept across reloads. */
export interface StoredVisit {
  /** The person it belongs to: another sign-in never continues it. */
  userId: string;
  id: string;
  startedAt: number;
  /** The last time the app was in use: an activity, or the moment it was hidden. */
  lastSeenAt: number;
  lastRecorded: Partial<Record<ActivityKind, number>>;
}

/** Where the open visit is kept; synchronous so a page being unloaded can still save it. */
export interface VisitStore {
  load(): StoredVisit | null;
  save(visit: StoredVisit | null): void;
}

export function memoryVisitStore(): VisitStore {
  let stored: StoredVisit | null = null;
  return {
    load: () => (stored ? structuredClone(stored) : null),
    save: (visit) => {
      stored = visit ? structuredClone(visit) : null;
    },
  };
}

/** A visit store over Web Storage (localStorage); a missing or refusing storage keeps it in memory. */
export function webStorageVisitStore(
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined,
  key = 'duet.visit',
): VisitStore {
  const fallback = memoryVisitStore();
  if (!storage) return fallback;
  return {
    load() {
      try {
        const raw = storage.getItem(key);
        return raw ? parseVisit(JSON.parse(raw)) : null;
      } catch {
        return fallback.load();
      }
    },
    save(visit) {
      try {
        if (visit) storage.setItem(key, JSON.stringify(visit));
        else storage.removeItem(key);
      } catch {
        fallback.save(visit);
      }
    },
  };
}

function parseVisit(value: unknown): StoredVisit | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (typeof v.userId !== 'string' || typeof v.id !== 'string' || typeof v.startedAt !== 'number' || typeof v.lastSeenAt !== 'number') {
    return null;
  }
  const lastRecorded: Partial<Record<ActivityKind, number>> = {};
  const recorded = typeof v.lastRecorded === 'object' && v.lastRecorded !== null ? (v.lastRecorded as Record<string, unknown>) : {};
  for (const kind of ACTIVITY_KINDS) {
    const at = recorded[kind];
    if (typeof at === 'number') lastRecorded[kind] = at;
  }
  return { userId: v.userId, id: v.id, startedAt: v.startedAt, lastSeenAt: v.lastSeenAt, lastRecorded };
}

export interface SessionTrackerDeps {
  mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<void>;
  newId: () => string;
  clock: Clock;
  timers: Timers;
  visibility: Signal;
  /** The signed-in person (null when nobody is): a visit is theirs alone. */
  userId: () => string | null;
  visits?: VisitStore;
  idleMs?: number;
  activityThrottleMs?: number;
  onError?: (error: unknown) => void;
}

export function createSessionTracker(deps: SessionTrackerDeps): SessionTracker {
  const idleMs = deps.idleMs ?? SESSION_IDLE_MS;
  const throttleMs = deps.activityThrottleMs ?? ACTIVITY_THROTTLE_MS;
  const visits = deps.visits ?? memoryVisitStore();
  let idleTimer: TimerHandle | null = null;
  let starting: Promise<StoredVisit | null> | null = null;

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

  const armIdle = (visit: StoredVisit) => {
    clearIdle();
    idleTimer = deps.timers.setTimeout(
      () => {
        idleTimer = null;
        void expire();
      },
      Math.max(0, visit.lastSeenAt + idleMs - deps.clock.now()),
    );
  };

  /** Ends the stored visit at the moment the app was last in use. */
  const finish = async (visit: StoredVisit) => {
    visits.save(null);
    clearIdle();
    // Written by the person it belongs to only: after a switch of account it would be refused.
    if (visit.userId !== deps.userId()) return;
    await write('session.end', { id: visit.id, endedAt: Math.max(visit.lastSeenAt, visit.startedAt) });
  };

  /** The open visit of the signed-in person, or null; a visit idle for too long is ended first. */
  const openVisit = async (): Promise<StoredVisit | null> => {
    const visit = visits.load();
    if (!visit) return null;
    if (visit.userId !== deps.userId()) {
      visits.save(null);
      return null;
    }
    if (deps.clock.now() - visit.lastSeenAt >= idleMs) {
      await finish(visit);
      return null;
    }
    return visit;
  };

  const expire = async () => {
    const visit = visits.load();
    if (!visit) return;
    if (deps.clock.now() - visit.lastSeenAt >= idleMs) await finish(visit);
    else armIdle(visit);
  };

  const begin = async (): Promise<StoredVisit | null> => {
    const userId = deps.userId();
    if (!userId) return null;
    const now = deps.clock.now();
    const visit: StoredVisit = { userId, id: deps.newId(), startedAt: now, lastSeenAt: now, lastRecorded: {} };
    // Stored before the write so a second call during it does not open another session.
    visits.save(visit);
    armIdle(visit);
    if (await write('session.start', { id: visit.id, startedAt: visit.startedAt })) return visit;
    if (visits.load()?.id === visit.id) visits.save(null);
    clearIdle();
    return null;
  };

  /** The open visit, or a new one; concurrent callers share one start. */
  const ensure = async (): Promise<StoredVisit | null> => {
    const open = await openVisit();
    if (open) return open;
    starting ??= begin().finally(() => {
      starting = null;
    });
    return starting;
  };

  const tracker: SessionTracker = {
    async start() {
      await ensure();
    },

    async recordActivity(kind) {
      const visit = await ensure();
      if (!visit) return;
      const now = deps.clock.now();
      const current = visits.load() ?? visit;
      current.lastSeenAt = now;
      const last = current.lastRecorded[kind];
      const due = last === undefined || now - last >= throttleMs;
      if (due) current.lastRecorded[kind] = now;
      visits.save(current);
      armIdle(current);
      if (due) await write('session.activity', { id: current.id, kind, at: now });
    },

    async end() {
      const visit = visits.load();
      if (visit) await finish(visit);
    },

    attach() {
      // A visit left open by the last page (a reload, a crash) is continued, or ended if stale.
      void openVisit().then((visit) => visit && armIdle(visit));
      const unsubscribe = deps.visibility.subscribe((visible) => {
        const visit = visits.load();
        if (!visit) return;
        if (visible) {
          void openVisit().then((open) => open && armIdle(open));
        } else {
          // Hidden: the visit goes on for a while; it ends where it was last seen.
          visit.lastSeenAt = Math.max(visit.lastSeenAt, deps.clock.now());
          visits.save(visit);
          armIdle(visit);
        }
      });
      return () => {
        unsubscribe();
        clearIdle();
      };
    },

    current() {
      const visit = visits.load();
      return visit && visit.userId === deps.userId() ? { id: visit.id, startedAt: visit.startedAt } : null;
    },
  };
  return tracker;
}
