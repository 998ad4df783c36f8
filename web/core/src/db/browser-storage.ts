/**
 * The browser's storage, usable at once although opening IndexedDB is asynchronous: operations
 * wait for the open. Where IndexedDB cannot be opened (some private modes, no IndexedDB at all)
 * it falls back to memory, and `kind` says so, so the UI can warn that nothing survives a reload.
 */
import { MemoryStorage } from '../sync/memory-storage.ts';
import type { StorageTx, SyncStorage, WriteDurability } from '../sync/storage.ts';
import { IdbStorage } from './idb-storage.ts';

export class BrowserStorage implements SyncStorage {
  #kind: 'indexeddb' | 'memory' = 'indexeddb';
  #blocked = false;
  readonly #listeners = new Set<() => void>();
  readonly #inner: Promise<SyncStorage>;

  constructor(name?: string) {
    const onBlocked = () => {
      this.#blocked = true;
      for (const l of [...this.#listeners]) l();
    };
    this.#inner = (
      typeof indexedDB === 'undefined' ? Promise.reject(new Error('no IndexedDB')) : IdbStorage.open(name, { onBlocked })
    ).catch(() => {
      this.#kind = 'memory';
      return new MemoryStorage();
    });
  }

  get kind(): 'indexeddb' | 'memory' {
    return this.#kind;
  }

  /** Resolves once the store is open (or fell back to memory). */
  opened(): Promise<void> {
    return this.#inner.then(() => undefined);
  }

  async read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return (await this.#inner).read(fn);
  }

  async write<T>(fn: (tx: StorageTx) => Promise<T>, options?: { durability?: WriteDurability }): Promise<T> {
    return (await this.#inner).write(fn, options);
  }

  onUpgradeBlocked(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#blocked) listener();
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    void this.#inner.then((s) => s.close());
  }
}
