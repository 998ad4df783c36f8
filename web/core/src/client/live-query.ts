/**
 * Live queries: a query runs over a transaction that records which stores it touched, and runs
 * again only when a local change (this tab or another) names one of them. Nobody keeps a list of
 * stores per query, so a query that starts reading another store is followed there at once.
 */
import type { StorageTx, StoreName } from '../sync/storage.ts';
import { createLocalReads } from './queries.ts';
import type { LiveQuery, LocalReads } from './types.ts';

type Reader = <T>(fn: (tx: StorageTx) => Promise<T>) => Promise<T>;

export interface LiveQueryDeps {
  read: Reader;
  onLocalChange(listener: (stores: readonly string[]) => void): () => void;
}

/**
 * A transaction that notes the store of every read into `used`; a read of one meta key notes
 * `meta:<key>`, so writes that name only other meta keys (a pull's cursor) leave the query alone.
 */
export function trackingTx(tx: StorageTx, used: Set<string>): StorageTx {
  const note = <S extends StoreName>(store: S): S => {
    used.add(store);
    return store;
  };
  return {
    get: (store, key) => {
      if (store === 'meta') used.add(`meta:${String(key)}`);
      else note(store);
      return tx.get(store, key);
    },
    getAll: (store, query) => tx.getAll(note(store), query),
    getAllByIndex: (store, index, value, options) => tx.getAllByIndex(note(store), index, value, options),
    count: (store) => tx.count(note(store)),
    put: (store, value) => tx.put(store, value),
    delete: (store, key) => tx.delete(store, key),
    clear: (store) => tx.clear(store),
  };
}

/** Whether a change naming `changed` can alter what a query that read `used` saw. Plain `meta` is every meta key. */
export function touches(changed: readonly string[], used: ReadonlySet<string>): boolean {
  const readMeta = [...used].some((store) => store.startsWith('meta:'));
  return changed.some((store) => used.has(store) || (store === 'meta' && readMeta) || (store.startsWith('meta:') && used.has('meta')));
}

export function createLiveQuery<T>(deps: LiveQueryDeps, query: (reads: LocalReads) => Promise<T>): LiveQuery<T> {
  const listeners = new Set<() => void>();
  let answer: { value: T } | undefined;
  let stores = new Set<string>();
  let detach: (() => void) | null = null;
  let running = false;
  let again = false;

  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      do {
        again = false;
        const used = new Set<string>();
        try {
          const value = await query(createLocalReads((fn) => deps.read((tx) => fn(trackingTx(tx, used)))));
          stores = used;
          if (detach && !again) {
            answer = { value };
            for (const listener of [...listeners]) listener();
          }
        } catch {
          // A failed read (store closed during sign-out) keeps the last answer; the next change retries.
        }
      } while (again && detach);
    } finally {
      running = false;
    }
  };

  return {
    subscribe(listener) {
      listeners.add(listener);
      if (!detach) {
        detach = deps.onLocalChange((changed) => {
          // Before the first answer nothing says which stores matter: any change re-runs.
          if (running || answer === undefined || touches(changed, stores)) void run();
        });
        void run();
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size > 0 || !detach) return;
        detach();
        detach = null;
      };
    },
    getSnapshot: () => answer?.value,
  };
}
