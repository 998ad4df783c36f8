/** The two SyncStorage implementations, for suites that must pass on both. Needs 'fake-indexeddb/auto' in Node. */
import { IdbStorage } from '../../db/idb-storage.ts';
import { MemoryStorage } from '../memory-storage.ts';
import type { SyncStorage } from '../storage.ts';

let dbCount = 0;

/** Each factory opens a fresh store; `reopen` opens the same one again (a reload). */
export interface StorageFactory {
  open(): Promise<{ storage: SyncStorage; reopen: () => Promise<SyncStorage> }>;
}

export const storageFactories: Array<[string, StorageFactory]> = [
  [
    'memory',
    {
      async open() {
        // Memory does not survive a reload; the same instance stands in for "the same database".
        const storage = new MemoryStorage();
        return { storage, reopen: async () => storage };
      },
    },
  ],
  [
    'indexeddb',
    {
      async open() {
        const name = `duet-test-${Date.now()}-${++dbCount}`;
        return { storage: await IdbStorage.open(name), reopen: () => IdbStorage.open(name) };
      },
    },
  ],
];
