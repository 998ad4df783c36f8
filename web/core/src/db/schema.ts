/**
 * The IndexedDB schema, as ordered upgrade steps: step n takes a database from version n - 1 to n.
 * Never edit a released step; add a new one. Steps change structure only; stores keep their data.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import { INDEXES, KEY_PATHS, STORE_NAMES } from '../sync/storage.ts';
import type { IndexedStore, StoreName } from '../sync/storage.ts';

export const DEFAULT_DB_NAME = 'duet';

type UpgradeTx = IDBPTransaction<unknown, StoreName[], 'versionchange'>;
export type UpgradeStep = (db: IDBPDatabase<unknown>, tx: UpgradeTx) => void;

function createIndex(tx: UpgradeTx, store: IndexedStore, name: string): void {
  const spec = (INDEXES[store] as Record<string, { field: string; orderBy: readonly string[] }>)[name];
  if (!spec) throw new Error(`no index ${store}.${name} in INDEXES`);
  const objectStore = tx.objectStore(store);
  if (!objectStore.indexNames.contains(name)) objectStore.createIndex(name, [spec.field, ...spec.orderBy]);
}

export const UPGRADE_STEPS: readonly UpgradeStep[] = [
  // 1: every store, and messages by conversation for the message list.
  (db, tx) => {
    for (const store of STORE_NAMES) {
      if (!db.objectStoreNames.contains(store)) db.createObjectStore(store, { keyPath: KEY_PATHS[store] });
    }
    createIndex(tx, 'messages', 'byConversation');
  },
  // 2: by-space indexes, so a space the user lost is dropped without scanning every record.
  (_db, tx) => {
    for (const store of ['messages', 'conversations', 'transcripts', 'sessions', 'server'] as const) {
      createIndex(tx, store, 'bySpace');
    }
  },
  // 3: the person's notifications (partner events), pulled from their personal space.
  (db) => {
    if (!db.objectStoreNames.contains('notifications')) db.createObjectStore('notifications', { keyPath: KEY_PATHS.notifications });
  },
  // 4: read marks (how far the person has read each conversation).
  (db) => {
    if (!db.objectStoreNames.contains('readMarks')) db.createObjectStore('readMarks', { keyPath: KEY_PATHS.readMarks });
  },
];

export const DB_VERSION = UPGRADE_STEPS.length;

/** Runs the steps between two versions, in order. */
export function upgradeDatabase(db: IDBPDatabase<unknown>, oldVersion: number, newVersion: number, tx: UpgradeTx): void {
  for (let version = oldVersion + 1; version <= newVersion; version++) {
    const step = UPGRADE_STEPS[version - 1];
    if (!step) throw new Error(`no upgrade step to version ${version}`);
    step(db, tx);
  }
}
