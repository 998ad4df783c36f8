/**
 * The engine's view of its platform: clock, timers, online and visibility signals, a cross-tab
 * lock and a cross-tab change bus. The browser is the default; in Node (tests, benchmarks) each
 * falls back to an in-process equivalent. Defaults look the globals up on every call, not once:
 * binding `setTimeout` at import time would escape fake timers and test spies installed later.
 */

export interface Clock {
  now(): number;
}

export type TimerHandle = object | number;

export interface Timers {
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface Signal {
  get(): boolean;
  subscribe(listener: (value: boolean) => void): () => void;
}

/** Runs one sync cycle at a time across every tab of this origin. */
export interface SyncLock {
  run<T>(fn: () => Promise<T>): Promise<T>;
}

/** Tells other tabs which stores changed, and hears what they changed. */
export interface ChangeBus {
  post(stores: readonly string[]): void;
  subscribe(listener: (stores: readonly string[]) => void): () => void;
  close(): void;
}

export const systemClock: Clock = { now: () => Date.now() };

export const systemTimers: Timers = {
  setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as Parameters<typeof clearTimeout>[0]),
};

function windowSignal(events: readonly string[], read: () => boolean, target: () => EventTarget | undefined): Signal {
  return {
    get: read,
    subscribe(listener) {
      const t = target();
      if (!t) return () => undefined;
      const onEvent = () => listener(read());
      for (const e of events) t.addEventListener(e, onEvent);
      return () => {
        for (const e of events) t.removeEventListener(e, onEvent);
      };
    },
  };
}

/** navigator.onLine and the window's online/offline events; always online where there is no window. */
export function browserOnline(): Signal {
  return windowSignal(
    ['online', 'offline'],
    () => (typeof navigator === 'undefined' || typeof navigator.onLine !== 'boolean' ? true : navigator.onLine),
    () => (typeof window === 'undefined' ? undefined : window),
  );
}

/** document.visibilityState; always visible where there is no document. */
export function browserVisibility(): Signal {
  return windowSignal(
    ['visibilitychange'],
    () => (typeof document === 'undefined' ? true : document.visibilityState !== 'hidden'),
    () => (typeof document === 'undefined' ? undefined : document),
  );
}

/** A settable signal, for tests and for Node clients that know their own connectivity. */
export function manualSignal(initial: boolean): Signal & { set(value: boolean): void } {
  let value = initial;
  const listeners = new Set<(value: boolean) => void>();
  return {
    get: () => value,
    set(next) {
      if (next === value) return;
      value = next;
      for (const l of [...listeners]) l(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A lock within this process: cycles queue behind each other. */
export function processLock(): SyncLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(fn: () => Promise<T>): Promise<T> {
      const result = tail.then(fn, fn);
      tail = result.catch(() => undefined);
      return result;
    },
  };
}

interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>;
}

/**
 * Browser-only features are used only in a page: Node has BroadcastChannel (and newer Node has
 * navigator.locks), where they would couple every simulated device of a benchmark process.
 */
const inPage = () => typeof window !== 'undefined' && typeof document !== 'undefined';

/** navigator.locks (Web Locks) in a page, else a lock of this engine alone. */
export function browserLock(name = 'duet-sync'): SyncLock {
  const locks = !inPage() || typeof navigator === 'undefined' ? undefined : (navigator as { locks?: LockManagerLike }).locks;
  if (!locks || typeof locks.request !== 'function') return processLock();
  return { run: (fn) => locks.request(name, fn) };
}

/** A bus that only reaches this process (Node, or browsers without BroadcastChannel). */
export function localBus(): ChangeBus {
  return { post: () => undefined, subscribe: () => () => undefined, close: () => undefined };
}

/** BroadcastChannel('duet-changes') in a page, else a bus that reaches no other tab. */
export function browserBus(name = 'duet-changes'): ChangeBus {
  if (!inPage() || typeof BroadcastChannel === 'undefined') return localBus();
  const channel = new BroadcastChannel(name);
  const listeners = new Set<(stores: readonly string[]) => void>();
  channel.onmessage = (event: MessageEvent<unknown>) => {
    const stores = (event.data as { stores?: unknown } | null)?.stores;
    if (!Array.isArray(stores) || !stores.every((s) => typeof s === 'string')) return;
    for (const l of [...listeners]) l(stores);
  };
  return {
    post: (stores) => channel.postMessage({ stores: [...stores] }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => channel.close(),
  };
}
