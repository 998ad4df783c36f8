import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MutationArgs, MutationName } from '@duet/shared';
import { manualSignal, systemTimers } from '../sync/platform.ts';
import { createSessionTracker, SESSION_IDLE_MS } from './session-tracker.ts';

function setup() {
  const calls: Array<{ name: MutationName; args: unknown }> = [];
  let now = 1_000_000;
  let ids = 0;
  const visibility = manualSignal(true);
  const tracker = createSessionTracker({
    mutate: async <N extends MutationName>(name: N, args: MutationArgs<N>) => {
      calls.push({ name, args });
    },
    newId: () => `s${++ids}`,
    clock: { now: () => now },
    timers: systemTimers,
    visibility,
  });
  return { calls, tracker, visibility, advance: (ms: number) => (now += ms) };
}

describe('sessionTracker', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }));
  afterEach(() => vi.useRealTimers());

  it('starts on visit, records each activity kind at most once a minute, ends when hidden', async () => {
    const { calls, tracker, visibility, advance } = setup();
    const detach = tracker.attach();
    await vi.advanceTimersByTimeAsync(0);
    await tracker.recordActivity('chat');
    advance(10_000);
    await tracker.recordActivity('chat');
    await tracker.recordActivity('review');
    advance(60_000);
    await tracker.recordActivity('chat');
    visibility.set(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual([
      { name: 'session.start', args: { id: 's1', startedAt: 1_000_000 } },
      { name: 'session.activity', args: { id: 's1', kind: 'chat', at: 1_000_000 } },
      { name: 'session.activity', args: { id: 's1', kind: 'review', at: 1_010_000 } },
      { name: 'session.activity', args: { id: 's1', kind: 'chat', at: 1_070_000 } },
      { name: 'session.end', args: { id: 's1', endedAt: 1_070_000 } },
    ]);
    visibility.set(true);
    await vi.advanceTimersByTimeAsync(0);
    expect(tracker.current()?.id).toBe('s2');
    detach();
  });

  it('ends after 30 minutes without activity; the next activity opens a new session', async () => {
    const { calls, tracker, advance } = setup();
    await tracker.start();
    await tracker.recordActivity('browse');
    advance(SESSION_IDLE_MS);
    await vi.advanceTimersByTimeAsync(SESSION_IDLE_MS);
    expect(calls.at(-1)).toEqual({ name: 'session.end', args: { id: 's1', endedAt: 1_000_000 + SESSION_IDLE_MS } });
    expect(tracker.current()).toBeNull();
    await tracker.recordActivity('chat');
    expect(calls.slice(-2).map((c) => c.name)).toEqual(['session.start', 'session.activity']);
    expect(tracker.current()?.id).toBe('s2');
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
      onError: (e) => errors.push(e),
    });
    await expect(tracker.recordActivity('chat')).resolves.toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(tracker.current()).toBeNull();
  });
});
