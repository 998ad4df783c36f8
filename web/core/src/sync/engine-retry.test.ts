// Backoff, rate limits, lost sign-in, quota and progress: the engine's failure states.
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/errors.ts';
import { backoffDelay } from './backoff.ts';
import { getMeta } from './meta.ts';
import { MemoryStorage } from './memory-storage.ts';
import { estimatePercent } from './pull.ts';
import type { Timers } from './platform.ts';
import { harness, statusWhere } from './testing/harness.ts';
import { storageFactories } from './testing/storages.ts';

describe('backoffDelay', () => {
  it.each([
    [0, 0, 500],
    [0, 1, 1000],
    [1, 0.5, 1500],
    [2, 0.5, 3000],
    [5, 1, 32_000],
    [6, 1, 60_000],
    [20, 0.5, 45_000],
    [50, 1, 60_000],
  ])('attempt %i, random %d: %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, () => random)).toBe(expected);
  });
});

describe('estimatePercent', () => {
  it('grows page by page and is 100 only when done', () => {
    expect([1, 2, 3, 9].map((p) => estimatePercent(p, false))).toEqual([50, 66, 75, 90]);
    expect(estimatePercent(1, true)).toBe(100);
  });
});

/** Timers that record each delay asked for and let a test wait for the next one. */
function recordingTimers() {
  const delays: number[] = [];
  let waiting: ((ms: number) => void) | null = null;
  const timers: Timers = {
    setTimeout(callback, ms) {
      delays.push(ms);
      waiting?.(ms);
      waiting = null;
      return setTimeout(callback, ms);
    },
    clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  };
  const nextDelay = () => new Promise<number>((resolve) => (waiting = resolve));
  return { timers, delays, nextDelay };
}

describe.each(storageFactories)('SyncEngine failures (%s)', (_name, factory) => {
  // Only timers are faked: IndexedDB (fake-indexeddb) schedules its work with setImmediate.
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('backs off exponentially with jitter on 5xx and network errors, then recovers', async () => {
    const { storage } = await factory.open();
    const { timers, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers, periodicMs: 60_000 });
    const unavailable = () => new ApiError({ code: 'unavailable', status: 503 });
    h.server.failures.push(unavailable(), new ApiError({ code: 'network', status: 0 }), unavailable());

    let next = nextDelay();
    h.engine.start();
    expect(await next).toBe(750);
    expect(h.engine.getStatus()).toMatchObject({ error: 'unavailable', syncing: false });
    for (const [expected, error] of [
      [1500, 'network'],
      [3000, 'unavailable'],
    ] as const) {
      next = nextDelay();
      await vi.advanceTimersByTimeAsync(expected === 1500 ? 750 : 1500);
      expect(await next).toBe(expected);
      expect(h.engine.getStatus().error).toBe(error);
    }
    next = nextDelay();
    await vi.advanceTimersByTimeAsync(3000);
    expect(await next).toBe(60_000); // recovered: back to the periodic sync
    expect(h.engine.getStatus()).toMatchObject({ error: null, nextRetryAt: null });
    h.engine.close();
  });

  it('changes made during a retry wait go out with the scheduled retry, without lengthening the wait', async () => {
    const { storage } = await factory.open();
    const { timers, delays, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers, periodicMs: 60_000 });
    const create = (i: number) => h.engine.mutate('conversation.create', { id: `c${i}`, spaceId: h.personalSpaceId, title: `t${i}` });
    let next = nextDelay();
    h.engine.start();
    expect(await next).toBe(60_000);

    h.server.failures.push(...Array.from({ length: 5 }, () => new ApiError({ code: 'unavailable', status: 503 })));
    next = nextDelay();
    await create(0);
    expect(await next).toBe(750);
    for (let i = 1; i < 4; i++) await create(i);
    await statusWhere(h.engine, (s) => s.pending === 4 && !s.syncing);
    // No request was made for them, and the wait is still the first one.
    expect(h.server.failures).toHaveLength(4);
    expect(delays).toEqual([60_000, 750]);

    next = nextDelay();
    await vi.advanceTimersByTimeAsync(750);
    expect(await next).toBe(1500);
    expect(h.server.failures).toHaveLength(3);

    h.server.failures.splice(0);
    next = nextDelay();
    await vi.advanceTimersByTimeAsync(1500);
    expect(await next).toBe(60_000);
    expect(h.server.pushes.flatMap((p) => p.mutations.map((m) => m.name))).toEqual(Array(4).fill('conversation.create'));
    expect(h.engine.getStatus()).toMatchObject({ pending: 0, error: null });
    h.engine.close();
  });

  it('waits at least Retry-After on 429 and ignores pokes meanwhile', async () => {
    const { storage } = await factory.open();
    const { timers, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers });
    h.server.failures.push(new ApiError({ code: 'rate_limited', status: 429, retryAfter: 30 }));
    const next = nextDelay();
    h.engine.start();
    expect(await next).toBe(30_000);
    expect(h.engine.getStatus().error).toBe('rate_limited');
    const pushesBefore = h.server.pushes.length;
    h.engine.poke();
    await statusWhere(h.engine, (s) => !s.syncing);
    expect(h.server.pushes.length).toBe(pushesBefore);
    h.engine.close();
  });

  it('a 401 signs out: the token is forgotten and nothing is retried', async () => {
    const { storage } = await factory.open();
    const { timers, delays } = recordingTimers();
    const h = await harness(storage, { timers });
    h.server.tokens.clear();
    h.engine.start();
    await statusWhere(h.engine, (s) => s.error === 'unauthorized');
    expect(h.engine.getStatus().signedIn).toBe(false);
    expect(await storage.read((tx) => getMeta(tx, 'auth'))).toBeNull();
    expect(await storage.read((tx) => getMeta(tx, 'user'))).not.toBeNull();
    expect(delays).toEqual([]);
    h.engine.close();
  });

  it('going online syncs at once, cutting a backoff wait short', async () => {
    const { storage } = await factory.open();
    const { timers, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers });
    h.online.set(false);
    h.engine.start();
    await statusWhere(h.engine, (s) => !s.online);
    expect(h.server.pushes).toHaveLength(0);
    const next = nextDelay();
    h.online.set(true);
    expect(await next).toBe(60_000);
    expect(h.engine.getStatus().lastSyncAt).not.toBeNull();
    h.engine.close();
  });

  it('reports progress page by page on a large pull, then clears it', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage, { pullLimit: 2 });
    for (let i = 0; i < 5; i++) {
      await h.server.applyAs('u1', {
        name: 'conversation.create',
        args: { id: `c${i}`, spaceId: h.personalSpaceId, title: `t${i}` },
        hlc: `00176398000000${i}:00000:x`,
      });
    }
    const seen: Array<{ items: number; percent: number }> = [];
    h.engine.subscribe((s) => {
      if (s.progress && s.progress.items !== seen.at(-1)?.items) seen.push({ items: s.progress.items, percent: s.progress.percent });
    });
    await h.engine.syncNow();
    expect(seen).toEqual([
      { items: 2, percent: 50 },
      { items: 4, percent: 66 },
    ]);
    expect(h.engine.getStatus().progress).toBeNull();
  });
});

describe('quota', () => {
  it('a full disk is a state, not a crash: mutate throws quota_exceeded and the status says so', async () => {
    let full = false;
    const quota = () => (full ? new DOMException('full', 'QuotaExceededError') : undefined);
    const storage = new MemoryStorage({ failWrite: (store) => (store === 'outbox' ? quota() : undefined) });
    const h = await harness(storage);
    await h.engine.syncNow();
    full = true;
    await expect(h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'x' })).rejects.toMatchObject({
      code: 'quota_exceeded',
    });
    expect(h.engine.getStatus().error).toBe('quota_exceeded');
    expect(await storage.read((tx) => tx.get('conversations', 'c1'))).toBeUndefined();
    full = false;
    await h.engine.mutate('conversation.create', { id: 'c1', spaceId: h.personalSpaceId, title: 'x' });
    expect(h.engine.getStatus().error).toBeNull();
  });
});

describe.each(storageFactories)('SyncEngine and a server that fails on some changes (%s)', (_name, factory) => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  const titles = ['one', 'two', 'poison', 'four', 'five'];
  /** Five new conversations in the outbox, the third of which the server fails on. */
  async function withFiveChanges(h: Awaited<ReturnType<typeof harness>>) {
    await h.engine.syncNow(); // learns the personal space
    for (const [i, title] of titles.entries()) {
      await h.engine.mutate('conversation.create', { id: `c${i}`, spaceId: h.personalSpaceId, title });
    }
    h.server.failsOn = (m) => (m.args as { title?: string }).title === 'poison';
  }
  const outboxIds = (storage: Awaited<ReturnType<(typeof factory)['open']>>['storage']) =>
    storage.read(async (tx) => (await tx.getAll('outbox')).map((e) => e.id));

  it('backs off on 500, sends the changes before the failing one, and after 3 failures tells the person, dropping nothing', async () => {
    const { storage } = await factory.open();
    const { timers, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers });
    await withFiveChanges(h);

    let next = nextDelay();
    h.engine.start();
    expect(await next).toBe(750);
    expect(h.engine.getStatus()).toMatchObject({ error: 'server_error', unsendable: [] });
    // The batch was halved down to the failing change; the two before it went through.
    expect(h.server.entity('conversation', 'c1')?.title).toBe('two');
    expect(h.server.entity('conversation', 'c2')).toBeUndefined();
    expect(h.server.pushes.at(-1)?.mutations.map((m) => m.id)).toEqual([3]);

    next = nextDelay();
    await vi.advanceTimersByTimeAsync(750);
    expect(await next).toBe(1500);
    expect(h.engine.getStatus().unsendable).toEqual([]);

    next = nextDelay();
    await vi.advanceTimersByTimeAsync(1500);
    expect(await next).toBe(3000); // still retried, backing off
    const status = h.engine.getStatus();
    expect(status.error).toBe('server_error');
    expect(status.unsendable).toEqual([
      { id: 3, name: 'conversation.create', args: { id: 'c2', spaceId: h.personalSpaceId, title: 'poison' }, createdAt: h.server.now },
    ]);
    // Nothing dropped: the failing change and those after it wait in the outbox, shown locally.
    expect(await outboxIds(storage)).toEqual(expect.arrayContaining([3, 4, 5]));
    expect(await storage.read((tx) => tx.get('conversations', 'c2'))).toBeDefined();
    h.engine.close();
  });

  it('discarding the unsendable change removes it locally and sends the changes after it', async () => {
    const { storage } = await factory.open();
    const h = await harness(storage, { unsendableAfter: 1 });
    await withFiveChanges(h);
    await h.engine.syncNow();
    expect(h.engine.getStatus().unsendable.map((c) => c.id)).toEqual([3]);

    await h.engine.discardUnsendable();
    await statusWhere(h.engine, (s) => !s.syncing && s.pending === 0);
    expect(h.engine.getStatus()).toMatchObject({ error: null, unsendable: [] });
    expect(h.server.entity('conversation', 'c2')).toBeUndefined();
    expect(h.server.entity('conversation', 'c3')?.title).toBe('four');
    expect(h.server.entity('conversation', 'c4')?.title).toBe('five');
    expect(await storage.read((tx) => tx.get('conversations', 'c2'))).toBeUndefined();
    expect(await outboxIds(storage)).toEqual([]);
    h.engine.close();
  });

  it('forgets the failures once the server takes the change: no notice', async () => {
    const { storage } = await factory.open();
    const { timers, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers });
    await withFiveChanges(h);
    let next = nextDelay();
    h.engine.start();
    await next;
    next = nextDelay();
    await vi.advanceTimersByTimeAsync(750);
    await next;
    h.server.failsOn = null; // the server was fixed
    next = nextDelay();
    await vi.advanceTimersByTimeAsync(1500);
    expect(await next).toBe(60_000);
    expect(h.engine.getStatus()).toMatchObject({ error: null, unsendable: [] });
    expect(h.server.entity('conversation', 'c2')?.title).toBe('poison');
    h.engine.close();
  });

  it('waits at least Retry-After on 503', async () => {
    const { storage } = await factory.open();
    const { timers, nextDelay } = recordingTimers();
    const h = await harness(storage, { timers });
    h.server.failures.push(new ApiError({ code: 'unavailable', status: 503, retryAfter: 20 }));
    const next = nextDelay();
    h.engine.start();
    expect(await next).toBe(20_000);
    expect(h.engine.getStatus().error).toBe('unavailable');
    h.engine.close();
  });
});
