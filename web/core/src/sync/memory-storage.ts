/**
 * SyncStorage in memory: for Node clients, tests, and browsers where IndexedDB will not open.
 * Transactions run one at a time; a write that throws is undone. Values are cloned on the way in
 * and out, as IndexedDB does, so callers cannot change stored records by accident.
 */
import { INDEXES, KEY_PATHS, STORE_NAMES } from './storage.ts';
import type { IndexQuery, IndexedStore, IndexName, StorageTx, StoreKey, StoreName, StoreRecords, SyncStorage } from './storage.ts';

type Key = string | number;

/** IndexedDB key order for the keys we use: numbers before strings, strings by code unit. */
export function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export interface MemoryStorageOptions {
  /** Makes writes fail, e.g. with a QuotaExceededError, to test how the engine copes. */
  failWrite?: (store: StoreName) => Error | undefined;
}

export class MemoryStorage implements SyncStorage {
  readonly kind = 'memory' as const;
  readonly #stores = new Map<StoreName, Map<Key, unknown>>(STORE_NAMES.map((s) => [s, new Map()]));
  readonly #failWrite: MemoryStorageOptions['failWrite'];
  /** Each store's keys in key order, kept until a key is added or removed (not on updates). */
  readonly #sortedKeys = new Map<StoreName, Key[]>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(options: MemoryStorageOptions = {}) {
    this.#failWrite = options.failWrite;
  }

  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.#run(fn, false);
  }

  write<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.#run(fn, true);
  }

  onUpgradeBlocked(): () => void {
    return () => undefined;
  }

  close(): void {
    this.#closed = true;
  }

  #run<T>(fn: (tx: StorageTx) => Promise<T>, writable: boolean): Promise<T> {
    const result = this.#queue.then(() => this.#transact(fn, writable));
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #transact<T>(fn: (tx: StorageTx) => Promise<T>, writable: boolean): Promise<T> {
    if (this.#closed) throw new Error('storage closed');
    const undo: Array<() => void> = [];
    const tx = this.#tx(writable, undo);
    try {
      return await fn(tx);
    } catch (error) {
      for (const step of undo.reverse()) step();
      throw error;
    }
  }

  #store(name: StoreName): Map<Key, unknown> {
    const store = this.#stores.get(name);
    if (!store) throw new Error(`unknown store ${name}`);
    return store;
  }

  #tx(writable: boolean, undo: Array<() => void>): StorageTx {
    const sortedKeys = (name: StoreName): Key[] => {
      let keys = this.#sortedKeys.get(name);
      if (!keys) {
        keys = [...this.#store(name).keys()].sort(compareKeys);
        this.#sortedKeys.set(name, keys);
      }
      return keys;
    };
    const mutate = (name: StoreName, key: Key, next: unknown) => {
      if (!writable) throw new DOMException('read-only transaction', 'ReadOnlyError');
      const store = this.#store(name);
      const had = store.has(key);
      const before = store.get(key);
      undo.push(() => {
        if (had) store.set(key, before);
        else store.delete(key);
        if (had !== (next !== undefined)) this.#sortedKeys.delete(name);
      });
      if (next === undefined) store.delete(key);
      else store.set(key, next);
      if (had !== (next !== undefined)) this.#sortedKeys.delete(name);
    };
    // Records of an index whose field is `value`, past `after` on the orderBy fields, in index order.
    const indexed = (store: IndexedStore, index: string, value: string, after: readonly Key[] | undefined) => {
      const spec = (INDEXES[store] as Record<string, { field: string; orderBy: readonly string[] }>)[index];
      if (!spec) throw new Error(`unknown index ${store}.${index}`);
      const order = (r: Record<string, unknown>, values: readonly unknown[]): number => {
        for (const [i, field] of spec.orderBy.slice(0, values.length).entries()) {
          const c = compareKeys(r[field], values[i]);
          if (c !== 0) return c;
        }
        return 0;
      };
      const rows = [...this.#store(store).values()] as Array<Record<string, unknown>>;
      const matching = rows.filter((r) => r[spec.field] === value && (after === undefined || order(r, after) > 0));
      return matching.sort((a, b) =>
        order(
          a,
          spec.orderBy.map((f) => b[f]),
        ),
      );
    };
    return {
      get: async <S extends StoreName>(store: S, key: StoreKey<S>) =>
        structuredClone(this.#store(store).get(key)) as StoreRecords[S] | undefined,
      getAll: async <S extends StoreName>(store: S, query: { after?: StoreKey<S>; limit?: number } = {}) => {
        const keys = sortedKeys(store);
        let start = 0;
        if (query.after !== undefined) {
          // Binary search for the first key after `after`.
          let high = keys.length;
          while (start < high) {
            const mid = (start + high) >> 1;
            if (compareKeys(keys[mid], query.after) > 0) high = mid;
            else start = mid + 1;
          }
        }
        const end = query.limit === undefined ? keys.length : Math.min(keys.length, start + query.limit);
        const values = this.#store(store);
        return keys.slice(start, end).map((k) => structuredClone(values.get(k))) as StoreRecords[S][];
      },
      getAllByIndex: async <S extends IndexedStore>(store: S, index: IndexName<S>, value: string, options: IndexQuery = {}) => {
        const matching = indexed(store, index, value, options.after);
        const kept =
          options.last !== undefined
            ? matching.slice(Math.max(0, matching.length - options.last))
            : options.limit !== undefined
              ? matching.slice(0, options.limit)
              : matching;
        return kept.map((r) => structuredClone(r)) as unknown as StoreRecords[S][];
      },
      count: async (store) => this.#store(store).size,
      put: async <S extends StoreName>(store: S, value: StoreRecords[S]) => {
        const failure = this.#failWrite?.(store);
        if (failure) throw failure;
        const key = (value as unknown as Record<string, unknown>)[KEY_PATHS[store]];
        if (typeof key !== 'string' && typeof key !== 'number') throw new DOMException('no key', 'DataError');
        mutate(store, key, structuredClone(value));
      },
      delete: async <S extends StoreName>(store: S, key: StoreKey<S>) => {
        if (this.#store(store).has(key)) mutate(store, key, undefined);
      },
      clear: async (store) => {
        for (const key of [...this.#store(store).keys()]) mutate(store, key, undefined);
      },
    };
  }
}
