// One contract, two implementations: the in-memory store must answer exactly like IndexedDB.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '@duet/shared';
import type { OutboxEntry, SyncStorage } from './storage.ts';
import { storageFactories } from './testing/storages.ts';

const message = (id: string, conversationId: string, createdAt: number): Message => ({
  id,
  spaceId: 's1',
  conversationId,
  authorId: 'u1',
  body: id,
  createdAt,
  editedAt: null,
  deleted: false,
  meta: { body: { hlc: '001763980000000:00000:c1', by: 'u1', at: 1 } },
});

const entry = (id: number): OutboxEntry => ({
  id,
  name: 'message.delete',
  args: { id: `m${id}` },
  hlc: '001763980000000:00000:c1',
  touched: [],
  conversationId: null,
  createdAt: 0,
});

describe.each(storageFactories)('SyncStorage contract (%s)', (_name, factory) => {
  const open = async () => (await factory.open()).storage;
  let storage: SyncStorage;
  afterEach(() => storage?.close());

  it('puts, gets, counts and deletes', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      await tx.put('meta', { key: 'a', value: 1 });
      await tx.put('meta', { key: 'b', value: { nested: true } });
    });
    expect(await storage.read((tx) => tx.get('meta', 'b'))).toEqual({ key: 'b', value: { nested: true } });
    expect(await storage.read((tx) => tx.count('meta'))).toBe(2);
    await storage.write((tx) => tx.delete('meta', 'a'));
    expect(await storage.read((tx) => tx.get('meta', 'a'))).toBeUndefined();
  });

  it('lists in key order, after a key and up to a limit', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      for (const id of [3, 1, 10, 2]) await tx.put('outbox', entry(id));
    });
    const ids = async (query?: { after?: number; limit?: number }) =>
      (await storage.read((tx) => tx.getAll('outbox', query))).map((e) => e.id);
    expect(await ids()).toEqual([1, 2, 3, 10]);
    expect(await ids({ after: 2 })).toEqual([3, 10]);
    expect(await ids({ after: 1, limit: 2 })).toEqual([2, 3]);
  });

  it('answers an index in its order: messages by conversation, createdAt, then id', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      await tx.put('messages', message('b', 'c1', 20));
      await tx.put('messages', message('a', 'c1', 20));
      await tx.put('messages', message('z', 'c1', 5));
      await tx.put('messages', message('x', 'c2', 1));
    });
    const list = await storage.read((tx) => tx.getAllByIndex('messages', 'byConversation', 'c1'));
    expect(list.map((m) => m.id)).toEqual(['z', 'a', 'b']);
    const bySpace = await storage.read((tx) => tx.getAllByIndex('messages', 'bySpace', 's1'));
    expect(bySpace.map((m) => m.id)).toEqual(['a', 'b', 'x', 'z']);
  });

  it('answers the last records of an index, still in its order', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      for (const [id, at] of [
        ['m1', 1],
        ['m2', 2],
        ['m3', 3],
        ['m4', 4],
      ] as const)
        await tx.put('messages', message(id, 'c1', at));
      await tx.put('messages', message('other', 'c2', 9));
    });
    const last = await storage.read((tx) => tx.getAllByIndex('messages', 'byConversation', 'c1', { last: 2 }));
    expect(last.map((m) => m.id)).toEqual(['m3', 'm4']);
    const more = await storage.read((tx) => tx.getAllByIndex('messages', 'byConversation', 'c1', { last: 10 }));
    expect(more.map((m) => m.id)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('answers the records of an index after given values, the first or last few of them', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      for (const [id, at] of [
        ['m1', 1],
        ['m2', 2],
        ['m2b', 2],
        ['m3', 3],
        ['m4', 4],
      ] as const)
        await tx.put('messages', message(id, 'c1', at));
      await tx.put('messages', message('other', 'c2', 9));
    });
    const ids = async (options: { after?: Array<string | number>; limit?: number; last?: number }) =>
      (await storage.read((tx) => tx.getAllByIndex('messages', 'byConversation', 'c1', options))).map((m) => m.id);
    // After createdAt 2: every message created later, whatever its id.
    expect(await ids({ after: [2] })).toEqual(['m3', 'm4']);
    // After (2, 'm2'): the same instant, a later id, then later instants.
    expect(await ids({ after: [2, 'm2'] })).toEqual(['m2b', 'm3', 'm4']);
    expect(await ids({ after: [1], limit: 2 })).toEqual(['m2', 'm2b']);
    expect(await ids({ after: [1], last: 1 })).toEqual(['m4']);
    expect(await ids({ limit: 1 })).toEqual(['m1']);
    expect(await ids({ after: [4] })).toEqual([]);
  });

  it('skips records without the indexed field (server conflicts have no space)', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      await tx.put('server', { key: 'conflict/k', kind: 'conflict', id: 'k', spaceId: null, version: 1, data: {} });
      await tx.put('server', { key: 'space/s1', kind: 'space', id: 's1', spaceId: 's1', version: 2, data: {} });
    });
    const list = await storage.read((tx) => tx.getAllByIndex('server', 'bySpace', 's1'));
    expect(list.map((r) => r.key)).toEqual(['space/s1']);
  });

  it('undoes every write of a transaction that throws', async () => {
    storage = await open();
    await storage.write((tx) => tx.put('meta', { key: 'kept', value: 1 }));
    await expect(
      storage.write(async (tx) => {
        await tx.put('meta', { key: 'kept', value: 2 });
        await tx.put('meta', { key: 'new', value: 3 });
        await tx.clear('outbox');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await storage.read((tx) => tx.getAll('meta'))).toEqual([{ key: 'kept', value: 1 }]);
  });

  it('clears a store', async () => {
    storage = await open();
    await storage.write(async (tx) => {
      await tx.put('outbox', entry(1));
      await tx.clear('outbox');
    });
    expect(await storage.read((tx) => tx.count('outbox'))).toBe(0);
  });

  it('refuses writes in a read transaction', async () => {
    storage = await open();
    await expect(storage.read((tx) => tx.put('meta', { key: 'x', value: 1 }))).rejects.toBeTruthy();
  });

  it('hands out copies, not the stored objects', async () => {
    storage = await open();
    const value = { key: 'obj', value: { n: 1 } };
    await storage.write((tx) => tx.put('meta', value));
    value.value.n = 2;
    const read = await storage.read((tx) => tx.get('meta', 'obj'));
    expect(read?.value).toEqual({ n: 1 });
  });
});
