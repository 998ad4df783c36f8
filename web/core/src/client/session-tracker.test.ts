import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MutationArgs, MutationName } from '@duet/shared';
import { manualSignal, systemTimers } from '../sync/platform.ts';
import { createSessionTracker, memoryVisitStore, SESSION_IDLE_MS, webStorageVisitStore } from './session-tracker.ts';
import type { VisitStore } from './session-tracker.ts';

const MINUTE = 60_000;

/** One page of the app: a tracker over the shared clock, calls and visit store (a reload is a new page). */
function setup() {
  const calls: Array<{ name: MutationName; args: unknown }> = [];
  let now = 1_000_000;
  let ids = 0;
  let userId: string | null = 'u1';
  const visits = memoryVisitStore();
  const page = (store: VisitStore = visits) => {
    const visibility = manualSignal(true);
    const tracker = createSessionTracker({
      mutate: async <N extends MutationName>(name: N, args: MutationArgs<N>) => {
        calls.push({ name, args });
      },
      newId: () => `s${++ids}`,
      clock: { now: () => now },
      timers: systemTimers,
      visibility,
      userId: () => userId,
      visits: store,
    });
    const detach = tracker.attach();
    return { tracker, visibility, detach };
  };
  return {
    calls,
    page,
    names: () => calls.map((c) => c.name),
    advance: (ms: number) => (now += ms),
    signInAs: (id: string | null) => (userId = id),
  };
}

describe('sessionTracker', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('counts nothing for a visit without activity', async () => {
    const { calls, page } = setup();
    const { visibility, detach } = page();
    await vi.advanceTimersByTimeAsync(0);
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(SESSION_IDLE_MS * 2);
    expect(calls).toEqual([]);
    detach();
  });

  it('starts at the first activity and records each kind at most once a minute', async () => {
    const { calls, page, advance } = setup();
    const { tracker } = page();
    await tracker.recordActivity('chat');
    advance(10_000);
    await tracker.recordActivity('chat');
    await tracker.recordActivity('review');
    advance(MINUTE);
    await tracker.recordActivity('chat');
    expect(calls).toEqual([
      { name: 'session.start', args: { id: 's1', startedAt: 1_000_000 } },
      { name: 'session.activity', args: { id: 's1', kind: 'chat', at: 1_000_000 } },
      { name: 'session.activity', args: { id: 's1', kind: 'review', at: 1_010_000 } },
      { name: 'session.activity', args: { id: 's1', kind: 'chat', at: 1_070_000 } },
    ]);
  });

  it('continues one visit across five reloads', async () => {
    const { page, names, advance } = setup();
    for (let load = 0; load < 5; load += 1) {
      const { tracker, detach } = page();
      await vi.advanceTimersByTimeAsync(0);
      await tracker.recordActivity('browse');
      advance(2 * MINUTE);
      detach();
    }
    expect(names().filter((n) => n === 'session.start')).toHaveLength(1);
    expect(names()).not.toContain('session.end');
  });

  it('continues after a short trip to the background, and ends where it was last seen after a long one', async () => {
    const { calls, page, names, advance } = setup();
    const { tracker, visibility } = page();
    await tracker.recordActivity('chat');
    advance(MINUTE);
    visibility.set(false);
    advance(20 * MINUTE);
    visibility.set(true);
    await tracker.recordActivity('chat');
    expect(names().filter((n) => n === 'session.start')).toHaveLength(1);

    advance(2 * MINUTE);
    visibility.set(false);
    const hiddenAt = 1_000_000 + 23 * MINUTE;
    advance(SESSION_IDLE_MS);
    await vi.advanceTimersByTimeAsync(SESSION_IDLE_MS);
    expect(calls.at(-1)).toEqual({ name: 'session.end', args: { id: 's1', endedAt: hiddenAt } });
    visibility.set(true);
    await tracker.recordActivity('chat');
    expect(tracker.current()?.id).toBe('s2');
  });

  it('ends a visit 30 minutes after the last activity, at that activity', async () => {
    const { calls, page, advance } = setup();
    const { tracker } = page();
    await tracker.recordActivity('browse');
    advance(SESSION_IDLE_MS);
    await vi.advanceTimersByTimeAsync(SESSION_IDLE_MS);
    expect(calls.at(-1)).toEqual({ name: 'session.end', args: { id: 's1', endedAt: 1_000_000 } });
    expect(tracker.current()).toBeNull();
  });

  it('ends a stale visit found on a reload and opens a new one at the next activity', async () => {
    const { calls, page, advance } = setup();
    const first = page();
    await first.tracker.recordActivity('chat');
    first.detach();
    advance(SESSION_IDLE_MS + MINUTE);
    const { tracker } = page();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls.at(-1)).toEqual({ name: 'session.end', args: { id: 's1', endedAt: 1_000_000 } });
    await tracker.recordActivity('chat');
    expect(tracker.current()?.id).toBe('s2');
  });

  it("never continues another person's visit", async () => {
    const { calls, page, signInAs } = setup();
    const first = page();
    await first.tracker.recordActivity('chat');
    first.detach();
    signInAs('u2');
    const { tracker } = page();
    await tracker.recordActivity('chat');
    expect(calls.slice(-2)).toEqual([
      { name: 'session.start', args: { id: 's2', startedAt: 1_000_000 } },
      { name: 'session.activity', args: { id: 's2', kind: 'chat', at: 1_000_000 } },
    ]);
    expect(calls.map((c) => c.name)).not.toContain('session.end');
  });

  it('never throws at the UI when the write fails', async () => {
    const errors: unknown[] = [];
    const tracker = createSessionTracker({
      mutate: async () => {
        throw new Error('signed_out');
      },
      newId: () => 'x',
      clock: { now: () => 1 },
      timers: systemTimers,
      visibility: manualSignal(true),
      userId: () => 'u1',
      onError: (e) => errors.push(e),
    });
    await expect(tracker.recordActivity('chat')).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(tracker.current()).toBeNull();
  });

  it('keeps the visit in Web Storage, and ignores what it cannot read', () => {
    const data = new Map<string, string>();
    const storage = {
      getItem: (k: string) => data.get(k) ?? null,
      setItem: (k: string, v: string) => void data.set(k, v),
      removeItem: (k: string) => void data.delete(k),
    };
    const store = webStorageVisitStore(storage);
    const visit = { userId: 'u1', id: 's1', startedAt: 1, lastSeenAt: 2, lastRecorded: { chat: 2 } };
    store.save(visit);
    expect(webStorageVisitStore(storage).load()).toEqual(visit);
    data.set('duet.visit', '{"id":');
    expect(store.load()).toBeNull();
    store.save(null);
    expect(data.has('duet.visit')).toBe(false);
  });
});
