import 'fake-indexeddb/auto';
import { openDB } from 'idb';
import type { IDBPTransaction } from 'idb';
import { describe, expect, it } from 'vitest';
import type { Conversation, Message } from '@duet/shared';
import type { StoreName } from '../sync/storage.ts';
import { KEY_PATHS, STORE_NAMES } from '../sync/storage.ts';
import { IdbStorage } from './idb-storage.ts';
import { DB_VERSION, UPGRADE_STEPS } from './schema.ts';

const meta = { hlc: '001763980000000:00000:c1', by: 'u1', at: 1 };
const conversation: Conversation = {
  id: 'c1',
  spaceId: 's1',
  title: 'Kept',
  archived: false,
  createdBy: 'u1',
  createdAt: 1,
  meta: { title: meta, archived: meta },
};
const message: Message = {
  id: 'm1',
  spaceId: 's1',
  conversationId: 'c1',
  authorId: 'u1',
  body: 'hi',
  createdAt: 2,
  editedAt: null,
  deleted: false,
  meta: { body: meta },
};

describe('IndexedDB schema upgrades', () => {
  it('is at version 2 or later', () => {
    expect(DB_VERSION).toBeGreaterThanOrEqual(2);
  });

  it('upgrades a version 1 database to the current one and keeps its data', async () => {
    const name = 'upgrade-from-1';
    const v1 = await openDB<unknown>(name, 1, {
      upgrade: (db, _old, _new, tx) => UPGRADE_STEPS[0]?.(db, tx as unknown as IDBPTransaction<unknown, StoreName[], 'versionchange'>),
    });
    const tx = v1.transaction(['conversations', 'messages', 'outbox', 'meta'], 'readwrite');
    await tx.objectStore('conversations').put(conversation);
    await tx.objectStore('messages').put(message);
    await tx.objectStore('outbox').put({
      id: 1,
      name: 'message.add',
      args: { id: 'm1', conversationId: 'c1', body: 'hi' },
      hlc: meta.hlc,
      touched: ['message/m1'],
      conversationId: 'c1',
      createdAt: 2,
    });
    await tx.objectStore('meta').put({ key: 'lastMutationId', value: 1 });
    await tx.done;
    expect(v1.objectStoreNames.contains('messages')).toBe(true);
    expect([...v1.transaction('messages').objectStore('messages').indexNames]).toEqual(['byConversation']);
    v1.close();

    const storage = await IdbStorage.open(name);
    expect(await storage.read((t) => t.get('conversations', 'c1'))).toEqual(conversation);
    expect(await storage.read((t) => t.getAllByIndex('messages', 'byConversation', 'c1'))).toEqual([message]);
    // The index version 2 added works on the old records.
    expect(await storage.read((t) => t.getAllByIndex('messages', 'bySpace', 's1'))).toEqual([message]);
    expect(await storage.read((t) => t.getAllByIndex('conversations', 'bySpace', 's1'))).toEqual([conversation]);
    expect((await storage.read((t) => t.getAll('outbox'))).map((e) => e.id)).toEqual([1]);
    expect(await storage.read((t) => t.get('meta', 'lastMutationId'))).toEqual({ key: 'lastMutationId', value: 1 });
    storage.close();
  });

  it('adds the notifications store to a version 2 database that has none', async () => {
    const name = 'upgrade-from-2';
    const v2 = await openDB<unknown>(name, 2, {
      upgrade: (db) => {
        // Version 2 as it was released: every store but notifications.
        for (const store of STORE_NAMES.filter((s) => s !== 'notifications')) db.createObjectStore(store, { keyPath: KEY_PATHS[store] });
      },
    });
    expect(v2.objectStoreNames.contains('notifications')).toBe(false);
    v2.close();
    const storage = await IdbStorage.open(name);
    const note = {
      id: 'n1',
      spaceId: 's1',
      type: 'invite_accepted',
      actorId: 'u2',
      actorName: 'Ben',
      transcriptId: null,
      at: 1,
      readAt: null,
    } as const;
    await storage.write((t) => t.put('notifications', note));
    expect(await storage.read((t) => t.get('notifications', 'n1'))).toEqual(note);
    storage.close();
  });

  it('tells when another tab holding the old version blocks the upgrade', async () => {
    const name = 'blocked-upgrade';
    const old = await openDB<unknown>(name, 1, {
      upgrade: (db, _old, _new, tx) => UPGRADE_STEPS[0]?.(db, tx as unknown as IDBPTransaction<unknown, StoreName[], 'versionchange'>),
    });
    let blocked = false;
    const opening = IdbStorage.open(name, { onBlocked: () => (blocked = true) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(blocked).toBe(true);
    old.close();
    const storage = await opening;
    expect(await storage.read((t) => t.count('outbox'))).toBe(0);
    storage.close();
  });

  it('closes itself and tells when a newer version wants to open', async () => {
    const name = 'blocking-newer';
    const storage = await IdbStorage.open(name);
    let told = false;
    storage.onUpgradeBlocked(() => (told = true));
    const newer = await openDB<unknown>(name, DB_VERSION + 1);
    expect(told).toBe(true);
    newer.close();
  });
});
