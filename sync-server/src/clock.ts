/**
 * The server's time, ids and timers, in one dependency passed through startServer and createApp,
 * so nothing reads the system clock or draws ids on its own and a test can drive them.
 */
import { monotonicIds } from '@duet/shared';

export type TimerHandle = NodeJS.Timeout;

export interface Timers {
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clearInterval(handle: TimerHandle | undefined): void;
}

export interface ServerClock {
  /** Milliseconds since the epoch. */
  now: () => number;
  /** A new id: a monotonic ULID with cryptographic randomness (shared ids.ts). */
  newId: () => string;
  timers: Timers;
}

export const systemTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
  setInterval: (fn, ms) => setInterval(fn, ms),
  clearInterval: (handle) => clearInterval(handle),
};

export function systemClock(): ServerClock {
  const now = () => Date.now();
  return { now, newId: monotonicIds(now), timers: systemTimers };
}
