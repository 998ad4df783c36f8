// A server that no longer serves this app's protocol version (426 unsupported_protocol).
import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors.ts';
import { classifySyncFailure } from './sync-error.ts';
import { getMeta } from './meta.ts';
import type { Timers } from './platform.ts';
import { harness, statusWhere } from './testing/harness.ts';
import { storageFactories } from './testing/storages.ts';

const refused = () => new ApiError({ code: 'unsupported_protocol', status: 426 });

describe('classifySyncFailure', () => {
  it('treats a refused protocol as permanent', () => {
    expect(classifySyncFailure(refused())).toMatchObject({ code: 'unsupported_protocol', retry: false });
  });
});

describe.each(storageFactories)('SyncEngine on a refused protocol (%s)', (_name, factory) => {
  it('stops syncing for good, keeps the outbox and the sign-in, and says an update is needed', async () => {
    const { storage } = await factory.open();
    const delays: number[] = [];
    const timers: Timers = {
      setTimeout: (callback, ms) => {
        delays.push(ms);
        return setTimeout(callback, ms);
      },
      clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
    };
    const h = await harness(storage, { timers });
    await h.engine.syncNow(); // the personal space is known locally, so writes apply
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'Kept' });
    h.server.failures.push(refused());
    h.engine.start();
    await statusWhere(h.engine, (s) => s.error === 'unsupported_protocol');

    // Nothing scheduled, and no later trigger sends the outbox.
    expect(delays).toEqual([]);
    h.online.set(false);
    h.online.set(true);
    h.engine.poke();
    await h.engine.syncNow();
    await h.engine.mutate('conversation.create', { id: 'c2', spaceId: h.personalSpaceId, title: 'Also kept' });
    expect(h.server.entities.has('conversation/c1')).toBe(false);
    expect(h.engine.getStatus()).toMatchObject({ error: 'unsupported_protocol', pending: 2, signedIn: true, syncing: false });
    expect(await storage.read((tx) => tx.count('outbox'))).toBe(2);
    expect(await storage.read((tx) => getMeta(tx, 'auth'))).not.toBeNull();
    h.engine.close();
  });
});
