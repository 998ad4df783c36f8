import 'fake-indexeddb/auto';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors.ts';
import { getLocalEntity } from './local-tx.ts';
import { getMeta, setMeta } from './meta.ts';
import { pullUntilCaughtUp } from './pull.ts';
import type { SyncStorage } from './storage.ts';
import { harness, makeEngine } from './testing/harness.ts';
import type { Harness } from './testing/harness.ts';
import { storageFactories } from './testing/storages.ts';
import { discardEntries } from './unsendable.ts';

const outbox = (storage: SyncStorage) => storage.read((tx) => tx.getAll('outbox'));
const local = <K extends 'conversation' | 'message' | 'space'>(storage: SyncStorage, kind: K, id: string) =>
  storage.read((tx) => getLocalEntity(tx, kind, id));

async function pullOnly(h: Harness, storage: SyncStorage) {
  const clientId = (await storage.read((tx) => getMeta(tx, 'clientId'))) ?? '';
  return pullUntilCaughtUp({ storage, transport: h.server, token: h.token, clientId, now: () => h.server.now });
}

async function sharedSpace(h: Harness) {
  h.server.addUser('u2');
  h.server.putSpace({
    id: 'shared1',
    kind: 'shared',
    members: [
      { userId: 'u1', displayName: 'U1' },
      { userId: 'u2', displayName: 'U2' },
    ],
  });
  await h.engine.syncNow();
}

describe.each(storageFactories)('SyncEngine (%s)', (_name, factory) => {
  it('numbers outbox entries from 1, +1 each, with growing hlcs, and applies them locally at once while offline', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    h.online.set(false);
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Hello' });
    await h.engine.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'one' });
    await h.engine.mutate('message.add', { id: 'm2', conversationId: 'c1', body: 'two' });
    await h.engine.syncNow();
    const entries = await outbox(storage);
    expect(entries.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(entries.map((e) => e.hlc)).toEqual([...entries.map((e) => e.hlc)].sort());
    expect(new Set(entries.map((e) => e.hlc)).size).toBe(3);
    expect(entries.map((e) => e.conversationId)).toEqual(['c1', 'c1', 'c1']);
    expect((await local(storage, 'message', 'm2'))?.body).toBe('two');
    expect(h.server.pushes).toHaveLength(0);
    expect(h.engine.getStatus().pending).toBe(3);
  });

  it('refuses invalid args and local refusals without using an id', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    await expect(
      h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'x'.repeat(201) }),
    ).rejects.toMatchObject({
      code: 'invalid_args',
    });
    await expect(h.engine.mutate('message.add', { id: 'm1', conversationId: 'nope', body: 'x' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'ok' });
    expect((await outbox(storage)).map((e) => e.id)).toEqual([1]);
  });

  it('pushes, then pulls: the outbox empties and the local view equals the server', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Hello' });
    await h.engine.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'one' });
    await h.engine.syncNow();
    expect(await outbox(storage)).toEqual([]);
    expect(await local(storage, 'message', 'm1')).toEqual(h.server.entity('message', 'm1'));
    expect(await local(storage, 'conversation', 'c1')).toEqual(h.server.entity('conversation', 'c1'));
    expect(h.engine.getStatus()).toMatchObject({ pending: 0, error: null, syncing: false });
  });

  it('rebases: a pending mutation is replayed over the pulled state', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Old' });
    await h.engine.syncNow();
    h.server.now += 1000;
    await h.engine.mutate('conversation.update', { id: 'c1', title: 'Mine' });
    // Another device archives it and adds a message; this device pulls before pushing.
    await h.server.applyAs('u1', { name: 'conversation.update', args: { id: 'c1', archived: true }, hlc: '001763980000500:00000:other' });
    await h.server.applyAs('u1', {
      name: 'message.add',
      args: { id: 'm9', conversationId: 'c1', body: 'from elsewhere' },
      hlc: '001763980000600:00000:other',
    });
    await pullOnly(h, storage);
    const c = await local(storage, 'conversation', 'c1');
    expect(c).toMatchObject({ title: 'Mine', archived: true });
    expect(h.server.entity('conversation', 'c1')?.title).toBe('Old');
    expect((await local(storage, 'message', 'm9'))?.body).toBe('from elsewhere');
    expect((await outbox(storage)).map((e) => e.name)).toEqual(['conversation.update']);
    await h.engine.syncNow();
    expect(h.server.entity('conversation', 'c1')).toMatchObject({ title: 'Mine', archived: true });
    expect(await local(storage, 'conversation', 'c1')).toEqual(h.server.entity('conversation', 'c1'));
  });

  it("keeps a pulled record's server copy once it is edited here: discarding the edit shows the server's copy again", async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await sharedSpace(h);
    await h.server.applyAs('u2', {
      name: 'conversation.create',
      args: { id: 'c2', spaceId: 'shared1', title: 'Theirs' },
      hlc: '001000000000000:00000:other',
    });
    await pullOnly(h, storage);
    // Pulled while nothing here touched it: the server store holds no second copy of it.
    expect(await storage.read((tx) => tx.get('server', 'conversation/c2'))).toBeUndefined();
    h.online.set(false);
    await h.engine.mutate('conversation.update', { id: 'c2', title: 'Mine' });
    expect((await local(storage, 'conversation', 'c2'))?.title).toBe('Mine');
    const [entry] = await outbox(storage);
    await storage.write((tx) => discardEntries(tx, [entry?.id ?? 0], h.server.now));
    expect(await local(storage, 'conversation', 'c2')).toEqual(h.server.entity('conversation', 'c2'));
    expect((await local(storage, 'conversation', 'c2'))?.title).toBe('Theirs');
    // Back to the server's state, the copy is dropped again.
    expect(await storage.read((tx) => tx.get('server', 'conversation/c2'))).toBeUndefined();
  });

  it('still reads a server copy without data, as an older version stored every pulled record, as the local view', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await sharedSpace(h);
    await h.server.applyAs('u2', {
      name: 'conversation.create',
      args: { id: 'c3', spaceId: 'shared1', title: 'Theirs' },
      hlc: '001000000000000:00000:other',
    });
    await pullOnly(h, storage);
    await storage.write((tx) =>
      tx.put('server', { key: 'conversation/c3', kind: 'conversation', id: 'c3', spaceId: 'shared1', version: 1 }),
    );
    h.online.set(false);
    await h.engine.mutate('conversation.update', { id: 'c3', title: 'Mine' });
    const [entry] = await outbox(storage);
    await storage.write((tx) => discardEntries(tx, [entry?.id ?? 0], h.server.now));
    expect((await local(storage, 'conversation', 'c3'))?.title).toBe('Theirs');
  });

  it('removes a record the server never had once the write that made it is discarded', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await sharedSpace(h);
    h.online.set(false);
    await h.engine.mutate('conversation.create', { id: 'c5', spaceId: 'shared1', title: 'Only here' });
    expect(await local(storage, 'conversation', 'c5')).toBeDefined();
    const [entry] = await outbox(storage);
    await storage.write((tx) => discardEntries(tx, [entry?.id ?? 0], h.server.now));
    expect(await local(storage, 'conversation', 'c5')).toBeUndefined();
  });

  it('lists rejected mutations, reverts them locally, and goes on with those behind them', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await sharedSpace(h);
    h.server.removeMember('shared1', 'u1');
    await h.engine.mutate('conversation.create', { id: 'lost', spaceId: 'shared1', title: 'Lost' });
    await h.engine.mutate('conversation.create', { id: 'kept', spaceId: h.personalSpaceId, title: 'Kept' });
    expect(await local(storage, 'conversation', 'lost')).toBeDefined();
    await h.engine.syncNow();
    expect(h.engine.getStatus().rejected).toMatchObject([{ id: 1, name: 'conversation.create', code: 'forbidden' }]);
    expect(await local(storage, 'conversation', 'lost')).toBeUndefined();
    expect(h.server.entity('conversation', 'kept')).toBeDefined();
    expect(await outbox(storage)).toEqual([]);
    await h.engine.dismissRejected(1);
    expect(h.engine.getStatus().rejected).toEqual([]);
  });

  it('re-sends a push whose answer was lost; the server reports it duplicate and it applies once', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    const answers: string[][] = [];
    let loseNext = true;
    const transport = {
      pull: h.server.pull.bind(h.server),
      async push(token: string, body: Parameters<typeof h.server.push>[1]) {
        const answer = await h.server.push(token, body);
        answers.push(answer.results.map((r) => r.status));
        if (loseNext) {
          loseNext = false;
          throw new ApiError({ code: 'network', status: 0 });
        }
        return answer;
      },
    };
    const { engine } = makeEngine(storage, h.server, { transport });
    await engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Once' });
    await engine.syncNow();
    expect(engine.getStatus().error).toBe('network');
    expect(await outbox(storage)).toHaveLength(1);
    await engine.syncNow();
    expect(answers).toEqual([['applied'], ['duplicate']]);
    expect(await outbox(storage)).toEqual([]);
    expect(engine.getStatus().error).toBeNull();
  });

  it('after out_of_order over a gap, renumbers and re-pushes from lastMutationId + 1', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'First' });
    await h.engine.syncNow();
    await h.engine.mutate('conversation.create', { id: 'c2', spaceId: h.personalSpaceId, title: 'Second' });
    const clientId = (await storage.read((tx) => getMeta(tx, 'clientId'))) ?? '';
    h.server.lastMutationIds.set(clientId, 0); // the server lost our ids (restored from a backup)
    await h.engine.syncNow();
    expect(h.server.pushes.at(-2)?.mutations.map((m) => m.id)).toEqual([2]);
    expect(h.server.pushes.at(-1)?.mutations.map((m) => m.id)).toEqual([1]);
    expect(h.server.entity('conversation', 'c2')?.title).toBe('Second');
    expect(await outbox(storage)).toEqual([]);
    expect(await storage.read((tx) => getMeta(tx, 'lastMutationId'))).toBe(1);
  });

  it('on reset: replaces the local copy of server state and keeps and replays the outbox', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Server' });
    await h.engine.syncNow();
    const ghost = { ...(h.server.entity('conversation', 'c1') ?? ({} as never)), id: 'ghost' };
    await storage.write(async (tx) => {
      await tx.put('server', {
        key: 'conversation/ghost',
        kind: 'conversation',
        id: 'ghost',
        spaceId: h.personalSpaceId,
        version: 1,
        data: ghost,
      });
      await tx.put('conversations', ghost);
      await setMeta(tx, 'cursor', '999999999');
    });
    await h.engine.mutate('conversation.update', { id: 'c1', title: 'Pending' });
    const result = await pullOnly(h, storage);
    expect(result.reset).toBe(true);
    expect(await local(storage, 'conversation', 'ghost')).toBeUndefined();
    expect(await storage.read((tx) => tx.get('server', 'conversation/ghost'))).toBeUndefined();
    expect((await local(storage, 'conversation', 'c1'))?.title).toBe('Pending');
    expect(await outbox(storage)).toHaveLength(1);
  });

  it('drops a space the user lost, and everything in it', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage);
    await sharedSpace(h);
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: 'shared1', title: 'Ours' });
    await h.engine.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'hi' });
    await h.engine.syncNow();
    expect(await local(storage, 'message', 'm1')).toBeDefined();
    h.server.removeMember('shared1', 'u1');
    await h.engine.syncNow();
    expect(await local(storage, 'space', 'shared1')).toBeUndefined();
    expect(await local(storage, 'conversation', 'c1')).toBeUndefined();
    expect(await local(storage, 'message', 'm1')).toBeUndefined();
    expect(await storage.read((tx) => tx.getAllByIndex('server', 'bySpace', 'shared1'))).toEqual([]);
    expect(await local(storage, 'space', h.personalSpaceId)).toBeDefined();
  });

  it('applies a mutation made offline exactly once after a reload and the network coming back', async () => {
    const { storage, reopen } = await factory.open();
    const h = await harness(storage);
    await h.engine.syncNow();
    h.online.set(false);
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Offline' });
    await h.engine.syncNow();
    h.engine.close();
    if (storage.kind === 'indexeddb') storage.close();

    const reloaded = await reopen();
    const { engine } = makeEngine(reloaded, h.server);
    expect((await local(reloaded, 'conversation', 'c1'))?.title).toBe('Offline');
    await engine.syncNow();
    await engine.syncNow();
    const pushedIds = h.server.pushes.flatMap((p) => p.mutations.map((m) => m.id));
    expect(pushedIds).toEqual([1]);
    expect(h.server.entity('conversation', 'c1')?.title).toBe('Offline');
    expect(await outbox(reloaded)).toEqual([]);
    await engine.mutate('conversation.update', { id: 'c1', title: 'Next' });
    expect((await outbox(reloaded)).map((e) => e.id)).toEqual([2]);
  });
});

describe('durability of writes', () => {
  it('commits what the person did strictly and pulled pages relaxed (a lost page is pulled again)', async () => {
    const durabilities: string[] = [];
    const prototype = IDBDatabase.prototype;
    // Called below with the right `this` (apply).
    // eslint-disable-next-line @typescript-eslint/unbound-method
    const original = prototype.transaction;
    const spy = vi.spyOn(prototype, 'transaction').mockImplementation(function (this: IDBDatabase, ...args) {
      const tx = original.apply(this, args);
      if (tx.mode === 'readwrite') durabilities.push(tx.durability);
      return tx;
    });
    const [, factory] = storageFactories.find(([name]) => name === 'indexeddb') ?? [];
    const { storage } = (await factory?.open()) ?? { storage: null };
    if (!storage) throw new Error('no indexeddb storage factory');
    const h = await harness(storage);
    await h.engine.syncNow();
    // Offline: the engine sends nothing by itself while this test counts transactions.
    h.online.set(false);
    durabilities.length = 0;
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Strict' });
    expect(durabilities).toEqual(['strict']);
    await h.server.applyAs('u1', { name: 'conversation.update', args: { id: 'c1', title: 'Pulled' }, hlc: '009000000000000:00000:other' });
    durabilities.length = 0;
    await pullOnly(h, storage);
    expect(durabilities).toEqual(['relaxed']);
    spy.mockRestore();
  });
});
