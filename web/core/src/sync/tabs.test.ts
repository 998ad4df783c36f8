// Two tabs: two engines on one IndexedDB database, one cycle at a time, news through the bus.
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import type { PullRequest, PushRequest } from '@duet/shared';
import { IdbStorage } from '../db/idb-storage.ts';
import { processLock } from './platform.ts';
import { FakeServer } from './testing/fake-server.ts';
import { makeEngine, signIn, statusWhere } from './testing/harness.ts';
import { linkedBuses } from './testing/linked-buses.ts';

describe('many tabs', () => {
  it("share one outbox, sync one at a time, and hear about each other's changes", async () => {
    const server = new FakeServer();
    const { token, personalSpaceId } = server.addUser('u1');
    let inFlight = 0;
    let maxInFlight = 0;
    const slow = async <T>(call: () => Promise<T>) => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      try {
        return await call();
      } finally {
        inFlight -= 1;
      }
    };
    const transport = {
      push: (t: string, body: PushRequest) => slow(() => server.push(t, body)),
      pull: (t: string, body: PullRequest) => slow(() => server.pull(t, body)),
    };
    const [busA, busB] = linkedBuses(2);
    const lock = processLock(); // stands in for navigator.locks, which spans tabs
    const storageA = await IdbStorage.open('tabs');
    const storageB = await IdbStorage.open('tabs');
    await signIn(storageA, token);
    const a = makeEngine(storageA, server, { transport, lock, ...(busA ? { bus: busA } : {}) }).engine;
    const b = makeEngine(storageB, server, { transport, lock, ...(busB ? { bus: busB } : {}) }).engine;
    await a.syncNow();

    const heardByB: string[][] = [];
    b.onLocalChange((stores) => heardByB.push([...stores]));
    await a.mutate('conversation.create', { id: 'c1', spaceId: personalSpaceId, title: 'From A' });
    await statusWhere(b, (s) => s.pending === 1);
    expect(heardByB.flat()).toContain('conversations');
    expect((await storageB.read((tx) => tx.get('conversations', 'c1')))?.title).toBe('From A');

    await b.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'from B' });
    await Promise.all([a.syncNow(), b.syncNow(), a.syncNow()]);
    expect(maxInFlight).toBe(1);
    expect(server.pushes.flatMap((p) => p.mutations.map((m) => m.id))).toEqual([1, 2]);
    expect(server.entity('message', 'm1')?.body).toBe('from B');
    await statusWhere(a, (s) => s.pending === 0);
    a.close();
    b.close();
    storageA.close();
    storageB.close();
  });
});
