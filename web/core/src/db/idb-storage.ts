/**
 * SyncStorage over IndexedDB (via idb). Each read or write is one transaction over every store.
 * Another tab that needs a different schema version shows up as `blocked` (our open waits for it)
 * or `blocking` (we hold an old version open): both are reported through onUpgradeBlocked so the
 * UI can ask for a reload; when blocking we also close, letting the other tab upgrade.
 */
import { openDB } from 'idb';
import type { IDBPDatabase, IDBPObjectStore, IDBPTransaction } from 'idb';
import { STORE_NAMES } from '../sync/storage.ts';
import type {
  IndexQuery,
  IndexedStore,
  IndexName,
  StorageTx,
  StoreKey,
  StoreName,
  StoreRecords,
  SyncStorage,
  WriteDurability,
} from '../sync/storage.ts';
import { DB_VERSION, DEFAULT_DB_NAME, upgradeDatabase } from './schema.ts';

/**
 * Index keys are [value, ...orderBy]; an array sorts after every number and string, so [value, []]
 * bounds every key that starts with value, and [value, ...after, []] (open) every one past `after`.
 */
function indexRange(value: string, after: readonly (string | number)[] | undefined): IDBKeyRange {
  if (after === undefined) return IDBKeyRange.bound([value], [value, []]);
  return IDBKeyRange.bound([value, ...after, []], [value, []], true, false);
}

type Tx = IDBPTransaction<unknown, StoreName[], IDBTransactionMode>;

function wrap(tx: Tx): StorageTx {
  const store = (name: StoreName) => tx.objectStore(name);
  // In a read-only transaction these calls throw ReadOnlyError, as they should.
  const writable = (name: StoreName) => tx.objectStore(name) as IDBPObjectStore<unknown, StoreName[], StoreName, 'readwrite'>;
  return {
    get: async <S extends StoreName>(name: S, key: StoreKey<S>) => (await store(name).get(key)) as StoreRecords[S] | undefined,
    getAll: async <S extends StoreName>(name: S, query: { after?: StoreKey<S>; limit?: number } = {}) => {
      const range = query.after === undefined ? null : IDBKeyRange.lowerBound(query.after, true);
      return (await store(name).getAll(range, query.limit)) as StoreRecords[S][];
    },
    getAllByIndex: async <S extends IndexedStore>(name: S, index: IndexName<S>, value: string, options: IndexQuery = {}) => {
      const range = indexRange(value, options.after);
      if (options.last === undefined) return (await store(name).index(index).getAll(range, options.limit)) as StoreRecords[S][];
      // The last n: a cursor walking back from the end of the range.
      const records: StoreRecords[S][] = [];
      let cursor = await store(name).index(index).openCursor(range, 'prev');
      while (cursor && records.length < options.last) {
        records.push(cursor.value as StoreRecords[S]);
        cursor = await cursor.continue();
      }
      return records.reverse();
    },
    count: (name) => store(name).count(),
    put: async (name, value) => {
      await writable(name).put(value);
    },
    delete: async (name, key) => {
      await writable(name).delete(key);
    },
    clear: (name) => writable(name).clear(),
  };
}

export class IdbStorage implements SyncStorage {
  readonly kind = 'indexeddb' as const;
  readonly #db: IDBPDatabase<unknown>;
  readonly #blockedListeners: Set<() => void>;

  private constructor(db: IDBPDatabase<unknown>, listeners: Set<() => void>) {
    this.#db = db;
    this.#blockedListeners = listeners;
  }

  /** Opens (creating or upgrading) the database. While another tab blocks the upgrade, `onBlocked` fires. */
  static async open(name = DEFAULT_DB_NAME, options: { onBlocked?: () => void } = {}): Promise<IdbStorage> {
    const listeners = new Set<() => void>();
    const tellBlocked = () => {
      options.onBlocked?.();
      for (const l of [...listeners]) l();
    };
    // Filled once the database is open; the blocking callback may fire any time after.
    const opened: { storage?: IdbStorage } = {};
    const db = await openDB<unknown>(name, DB_VERSION, {
      upgrade: (db, oldVersion, newVersion, tx) =>
        upgradeDatabase(db, oldVersion, newVersion ?? DB_VERSION, tx as unknown as IDBPTransaction<unknown, StoreName[], 'versionchange'>),
      blocked: tellBlocked,
      blocking: () => {
        opened.storage?.close();
        tellBlocked();
      },
      // The browser closed the database abnormally (storage cleared under us): a reload is the
      // only way on, the same advice the UI gives for a blocked upgrade.
      terminated: tellBlocked,
    });
    opened.storage = new IdbStorage(db, listeners);
    return opened.storage;
  }

  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.#run(fn, 'readonly');
  }

  write<T>(fn: (tx: StorageTx) => Promise<T>, options: { durability?: WriteDurability } = {}): Promise<T> {
    return this.#run(fn, 'readwrite', options.durability ?? 'strict');
  }

  onUpgradeBlocked(listener: () => void): () => void {
    this.#blockedListeners.add(listener);
    return () => this.#blockedListeners.delete(listener);
  }

  close(): void {
    this.#db.close();
  }

  async #run<T>(fn: (tx: StorageTx) => Promise<T>, mode: IDBTransactionMode, durability?: WriteDurability): Promise<T> {
    const tx = this.#db.transaction([...STORE_NAMES], mode, durability ? { durability } : undefined) as Tx;
    const done = tx.done;
    try {
      const result = await fn(wrap(tx));
      await done;
      return result;
    } catch (error) {
      done.catch(() => undefined);
      try {
        tx.abort();
      } catch {
        // Already finished (committed or aborted on its own): nothing to undo.
      }
      throw error;
    }
  }
}
