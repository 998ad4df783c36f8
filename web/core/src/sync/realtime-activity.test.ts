// What the real-time client tells the server this device is doing, what it keeps of partners'
// activity and last seen, and the live job statuses it hears (FakeSocket, fake timers).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { manualSignal } from './platform.ts';
import { RealtimeClient } from './realtime.ts';
import { FakeSocket } from './testing/fake-socket.ts';

function setup() {
  const client = new RealtimeClient({
    engine: { poke: vi.fn() },
    url: 'ws://duet.test/api/sync/ws',
    WebSocket: FakeSocket,
    random: () => 0.5,
    online: manualSignal(true),
    visibility: manualSignal(true),
  });
  client.start('tok');
  const socket = FakeSocket.latest();
  socket.open();
  socket.receive({ type: 'poke' });
  return { client, socket };
}

const activityFrames = (socket: FakeSocket) => socket.sent.filter((f) => (f as { type: string }).type === 'activity');

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers({ now: 1_000_000 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('RealtimeClient activity', () => {
  it('says idle once connected, then the strongest claim, and idle again when claims end', () => {
    const { client, socket } = setup();
    expect(activityFrames(socket)).toEqual([{ type: 'activity', activity: 'idle' }]);
    const reviewing = client.claimActivity('reviewing');
    const recording = client.claimActivity('recording');
    recording();
    recording(); // releasing twice changes nothing
    reviewing();
    expect(activityFrames(socket).map((f) => (f as { activity: string | null }).activity)).toEqual([
      'idle',
      'reviewing',
      'recording',
      'reviewing',
      'idle',
    ]);
  });

  it('sends null when sharing is turned off, nothing while off, and the current activity when it is turned on', () => {
    const { client, socket } = setup();
    client.setActivitySharing(false);
    const release = client.claimActivity('recording');
    expect(activityFrames(socket).slice(1)).toEqual([{ type: 'activity', activity: null }]);
    client.setActivitySharing(true);
    expect(activityFrames(socket).at(-1)).toEqual({ type: 'activity', activity: 'recording' });
    release();
  });

  it('tells a new socket again after a reconnect, and a device that does not share sends nothing at all', () => {
    const { client, socket } = setup();
    client.claimActivity('reviewing');
    client.setActivitySharing(false);
    socket.serverClose(1006);
    vi.advanceTimersByTime(30_000);
    const next = FakeSocket.latest();
    next.open();
    next.receive({ type: 'poke' });
    expect(activityFrames(next)).toEqual([]);
    client.setActivitySharing(true);
    expect(activityFrames(next)).toEqual([{ type: 'activity', activity: 'reviewing' }]);
  });

  it("keeps a partner's activity (also through typing) and their last seen", () => {
    const { client, socket } = setup();
    socket.receive({ type: 'presence', userId: 'u2', state: 'online', activity: 'recording' });
    expect(client.getSnapshot().partners.u2).toMatchObject({ state: 'online', activity: 'recording' });
    socket.receive({ type: 'presence', userId: 'u2', state: 'typing', conversationId: 'c1' });
    expect(client.getSnapshot().partners.u2).toMatchObject({ state: 'typing', activity: 'recording' });
    vi.advanceTimersByTime(5000);
    expect(client.getSnapshot().partners.u2).toMatchObject({ state: 'online', activity: 'recording' });
    socket.receive({ type: 'presence', userId: 'u2', state: 'offline', lastSeen: 123 });
    expect(client.getSnapshot().partners.u2).toEqual({ state: 'offline', lastSeen: 123, at: Date.now() });
  });

  it('keeps the live status of jobs by transcript, forgets them on sign-out, and closes on a malformed job frame', () => {
    const { client, socket } = setup();
    socket.receive({ type: 'job', transcriptId: 't1', submission: 1, status: 'processing', progress: 0.5 });
    expect(client.getSnapshot().jobs).toEqual({ t1: { submission: 1, status: 'processing', progress: 0.5, at: Date.now() } });
    socket.receive({ type: 'job', transcriptId: 't1', submission: 1, status: 'done' });
    expect(client.getSnapshot().jobs.t1).toEqual({ submission: 1, status: 'done', at: Date.now() });
    socket.receive({ type: 'job', transcriptId: 't1', submission: 1, status: 'exploded' });
    expect(socket.closedWith?.code).toBe(4400);
    client.stop();
    expect(client.getSnapshot().jobs).toEqual({});
  });
});
