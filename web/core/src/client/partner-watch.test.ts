// Reconnecting when a partner is linked, so the server re-sends presence.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Space } from '@duet/shared';
import { RealtimeClient } from '../sync/realtime.ts';
import { FakeSocket } from '../sync/testing/fake-socket.ts';
import { partnerKey, reconnectOnPartnerChange } from './partner-watch.ts';

const personal: Space = { id: 'p1', kind: 'personal', members: [{ userId: 'me', displayName: 'Me' }] };
const shared: Space = {
  id: 's1',
  kind: 'shared',
  members: [
    { userId: 'me', displayName: 'Me' },
    { userId: 'u2', displayName: 'Sam' },
  ],
};

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

function setup() {
  let spaces: Space[] = [personal];
  const listeners = new Set<(stores: readonly string[]) => void>();
  const realtime = new RealtimeClient({ engine: { poke: () => undefined }, url: 'ws://t/api/sync/ws', WebSocket: FakeSocket });
  const stop = reconnectOnPartnerChange({
    realtime,
    spaces: async () => spaces,
    meId: () => 'me',
    onLocalChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  const changeSpaces = async (next: Space[]) => {
    spaces = next;
    for (const l of listeners) l(['spaces']);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { realtime, stop, changeSpaces };
}

async function connect(realtime: RealtimeClient): Promise<void> {
  realtime.start('tok');
  FakeSocket.latest().open();
  FakeSocket.latest().receive({ type: 'poke' });
  await vi.advanceTimersByTimeAsync(0);
}

describe('reconnectOnPartnerChange', () => {
  it('reconnects once when a partner is linked, not on other space changes', async () => {
    const { realtime, changeSpaces, stop } = setup();
    await connect(realtime);
    await changeSpaces([personal]);
    expect(FakeSocket.all).toHaveLength(1);
    await changeSpaces([personal, shared]);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.all[0]?.closedWith?.code).toBe(1000);
    FakeSocket.latest().open();
    FakeSocket.latest().receive({ type: 'poke' });
    await vi.advanceTimersByTimeAsync(0);
    await changeSpaces([personal, shared]);
    expect(FakeSocket.all).toHaveLength(2);
    stop();
    realtime.stop();
  });

  it('does nothing while not connected', async () => {
    const { realtime, changeSpaces } = setup();
    realtime.start('tok');
    await changeSpaces([personal, shared]);
    expect(FakeSocket.all).toHaveLength(1);
    realtime.stop();
  });

  it('keys partners by id, without the user', () => {
    expect(partnerKey([personal, shared], 'me')).toBe('u2');
    expect(partnerKey([personal], 'me')).toBe('');
  });
});
