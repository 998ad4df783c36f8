// The real-time client against a fake WebSocket, with fake timers and a fixed jitter.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { manualSignal } from './platform.ts';
import { RealtimeClient } from './realtime.ts';
import type { RealtimeClientOptions } from './realtime.ts';
import { realtimeUrl } from './realtime-frames.ts';
import { FakeSocket } from './testing/fake-socket.ts';

const URL = 'ws://duet.test/api/sync/ws';

function setup(options: Partial<RealtimeClientOptions> = {}) {
  const engine = { poke: vi.fn() };
  const online = manualSignal(true);
  const visibility = manualSignal(true);
  const client = new RealtimeClient({ engine, url: URL, WebSocket: FakeSocket, random: () => 0.5, online, visibility, ...options });
  const statuses: string[] = [];
  client.subscribe((s) => statuses.push(s.status));
  return { engine, online, visibility, client, statuses };
}

/** Opens the socket and answers the auth frame as the server does, with a poke. */
function connect(socket: FakeSocket): void {
  socket.open();
  socket.receive({ type: 'poke' });
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers({ now: 1_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('RealtimeClient', () => {
  it('connects on start and sends the auth frame first', () => {
    const { client } = setup();
    expect(FakeSocket.all).toHaveLength(0);
    client.start('tok-1');
    const socket = FakeSocket.latest();
    expect(socket.url).toBe(URL);
    expect(socket.sent).toEqual([]);
    expect(client.getSnapshot().status).toBe('connecting');
    socket.open();
    expect(socket.sent).toEqual([{ type: 'auth', token: 'tok-1' }]);
    // Typing before the server answered the auth frame sends nothing.
    expect(client.sendTyping('c1')).toBe(false);
    expect(socket.sent).toHaveLength(1);
  });

  it('pokes the engine on every poke frame and counts the first frame as connected', () => {
    const { client, engine } = setup();
    client.start('tok');
    connect(FakeSocket.latest());
    expect(client.getSnapshot().status).toBe('connected');
    FakeSocket.latest().receive({ type: 'poke' });
    FakeSocket.latest().receive({ type: 'poke' });
    expect(engine.poke).toHaveBeenCalledTimes(3);
  });

  it('reconnects with exponential backoff and jitter, capped, and resets it once connected', () => {
    const { client } = setup();
    client.start('tok');
    // random 0.5 => three quarters of the ceiling: 1 s, 2 s, 4 s, ... capped at 30 s.
    const expected = [750, 1500, 3000, 6000, 12_000, 22_500, 22_500];
    for (const delay of expected) {
      const before = FakeSocket.all.length;
      FakeSocket.latest().serverClose(1006);
      expect(client.getSnapshot()).toMatchObject({ status: 'waiting', retryAt: Date.now() + delay });
      vi.advanceTimersByTime(delay - 1);
      expect(FakeSocket.all).toHaveLength(before);
      vi.advanceTimersByTime(1);
      expect(FakeSocket.all).toHaveLength(before + 1);
    }
    connect(FakeSocket.latest());
    FakeSocket.latest().serverClose(1001);
    expect(client.getSnapshot().retryAt).toBe(Date.now() + 750);
  });

  it('treats a socket error like a close', () => {
    const { client } = setup();
    client.start('tok');
    const socket = FakeSocket.latest();
    socket.fail();
    expect(socket.closedWith).not.toBeNull();
    expect(client.getSnapshot().status).toBe('waiting');
    // The close event that follows the error is not counted twice.
    socket.serverClose(1006);
    vi.advanceTimersByTime(750);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('stops on 4401 without reconnecting and lets the engine find out', () => {
    const { client, engine, online, visibility } = setup();
    client.start('bad');
    FakeSocket.latest().open();
    FakeSocket.latest().serverClose(4401);
    expect(client.getSnapshot().status).toBe('unauthorized');
    expect(engine.poke).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10 * 60_000);
    online.set(false);
    online.set(true);
    visibility.set(false);
    visibility.set(true);
    expect(FakeSocket.all).toHaveLength(1);
    // A new sign-in (a new token) starts again.
    client.start('good');
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('keeps partners presence, and typing falls back to online after 5 s unless renewed', () => {
    const { client } = setup();
    client.start('tok');
    const socket = FakeSocket.latest();
    connect(socket);
    socket.receive({ type: 'presence', userId: 'u2', state: 'online' });
    expect(client.getSnapshot().partners).toEqual({ u2: { state: 'online', at: Date.now() } });

    socket.receive({ type: 'presence', userId: 'u2', state: 'typing', conversationId: 'c1' });
    const typingAt = Date.now();
    expect(client.getSnapshot().partners.u2).toEqual({ state: 'typing', conversationId: 'c1', at: typingAt });
    vi.advanceTimersByTime(3000);
    socket.receive({ type: 'presence', userId: 'u2', state: 'typing', conversationId: 'c1' });
    vi.advanceTimersByTime(4999);
    expect(client.getSnapshot().partners.u2?.state).toBe('typing');
    vi.advanceTimersByTime(1);
    expect(client.getSnapshot().partners.u2).toEqual({ state: 'online', at: Date.now() });

    socket.receive({ type: 'presence', userId: 'u2', state: 'typing', conversationId: 'c1' });
    socket.receive({ type: 'presence', userId: 'u2', state: 'offline' });
    vi.advanceTimersByTime(10_000);
    expect(client.getSnapshot().partners.u2?.state).toBe('offline');

    // Without a socket nothing is known; the next one says who is online.
    socket.serverClose(1006);
    expect(client.getSnapshot().partners).toEqual({});
  });

  it('closes on a malformed frame and comes back later; ignores frame types it does not know', () => {
    const { client, engine } = setup();
    client.start('tok');
    const socket = FakeSocket.latest();
    connect(socket);
    socket.receive({ type: 'hello-from-the-future', x: 1 });
    expect(client.getSnapshot().status).toBe('connected');
    socket.receive({ type: 'presence', userId: 'u2', state: 'asleep' });
    expect(socket.closedWith?.code).toBe(4400);
    expect(client.getSnapshot().status).toBe('waiting');
    vi.advanceTimersByTime(30_000);

    for (const bad of [
      'not json',
      '[1]',
      '{"type":1}',
      { type: 'presence', userId: 'u2', state: 'typing' },
      { type: 'presence', userId: 'x'.repeat(65), state: 'online' },
    ]) {
      const next = FakeSocket.latest();
      connect(next);
      next.receive(bad);
      expect(next.closedWith?.code).toBe(4400);
      expect(client.getSnapshot().partners).toEqual({});
      vi.advanceTimersByTime(30_000);
    }
    expect(engine.poke).toHaveBeenCalledTimes(6);
  });

  it('stops on sign-out: closes the socket, cancels retries, forgets presence', () => {
    const { client } = setup();
    client.start('tok');
    const socket = FakeSocket.latest();
    connect(socket);
    socket.receive({ type: 'presence', userId: 'u2', state: 'online' });
    client.stop();
    expect(socket.closedWith?.code).toBe(1000);
    expect(client.getSnapshot()).toEqual({ status: 'stopped', retryAt: null, partners: {}, jobs: {} });
    socket.serverClose(1000);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it('waits while offline, closes on going offline, and reconnects at once when back online', () => {
    const { client, online } = setup();
    online.set(false);
    client.start('tok');
    expect(FakeSocket.all).toHaveLength(0);
    expect(client.getSnapshot().status).toBe('offline');
    online.set(true);
    expect(FakeSocket.all).toHaveLength(1);
    const socket = FakeSocket.latest();
    connect(socket);
    online.set(false);
    expect(socket.closedWith?.code).toBe(1000);
    expect(client.getSnapshot().status).toBe('offline');
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    online.set(true);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('cuts a retry wait short when the page becomes visible', () => {
    const { client, visibility } = setup();
    client.start('tok');
    FakeSocket.latest().serverClose(1006);
    expect(client.getSnapshot().status).toBe('waiting');
    visibility.set(false);
    visibility.set(true);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it('throttles typing frames per conversation', () => {
    const { client } = setup();
    client.start('tok');
    const socket = FakeSocket.latest();
    connect(socket);
    expect(client.sendTyping('c1')).toBe(true);
    expect(client.sendTyping('c1')).toBe(false);
    vi.advanceTimersByTime(1999);
    expect(client.sendTyping('c1')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(client.sendTyping('c1')).toBe(true);
    // Another conversation goes out at once.
    expect(client.sendTyping('c2')).toBe(true);
    expect(client.sendTyping('c2')).toBe(false);
    // After the auth frame and the activity said on connecting (realtime-activity.test.ts).
    expect(socket.sent.slice(2)).toEqual([
      { type: 'typing', conversationId: 'c1' },
      { type: 'typing', conversationId: 'c1' },
      { type: 'typing', conversationId: 'c2' },
    ]);
  });

  it('is unavailable without a WebSocket or a URL, and a no-op when started twice with one token', () => {
    const { client } = setup({ url: null });
    client.start('tok');
    expect(client.getSnapshot().status).toBe('unavailable');
    const other = setup();
    other.client.start('tok');
    other.client.start('tok');
    expect(FakeSocket.all).toHaveLength(1);
  });
});

describe('realtimeUrl', () => {
  it('follows the page, or an absolute base URL', () => {
    expect(realtimeUrl('', { protocol: 'https:', host: 'duet.example' })).toBe('wss://duet.example/api/sync/ws');
    expect(realtimeUrl('', { protocol: 'http:', host: 'localhost:8080' })).toBe('ws://localhost:8080/api/sync/ws');
    expect(realtimeUrl('http://127.0.0.1:3000/')).toBe('ws://127.0.0.1:3000/api/sync/ws');
    expect(realtimeUrl('https://api.example/duet')).toBe('wss://api.example/duet/api/sync/ws');
    expect(realtimeUrl('')).toBeNull();
  });
});
