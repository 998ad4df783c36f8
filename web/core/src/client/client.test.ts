// The facade end to end on in-memory storage, with fetch answered by the fake server.
import { describe, expect, it } from 'vitest';
import type { PullRequest, PushRequest, Space } from '@duet/shared';
import { readMarkId } from '@duet/shared';
import { ApiClient } from '../api/client.ts';
import { MemoryStorage } from '../sync/memory-storage.ts';
import { localBus, manualSignal, processLock } from '../sync/platform.ts';
import { FakeServer } from '../sync/testing/fake-server.ts';
import { FakeSocket } from '../sync/testing/fake-socket.ts';
import { USER } from '../sync/testing/harness.ts';
import { assembleDuetClient } from './client.ts';
import type { DuetClientParts } from './client.ts';

function fakeFetch(server: FakeServer): typeof fetch {
  const { token, personalSpaceId } = server.addUser(USER.id);
  const reply = (status: number, body?: unknown) => new Response(body === undefined ? null : JSON.stringify(body), { status });
  return async (input, init) => {
    const path = new URL(input instanceof Request ? input.url : input.toString(), 'http://local').pathname;
    const body: unknown = init?.body ? JSON.parse(init.body as string) : undefined;
    const auth = new Headers(init?.headers).get('Authorization')?.slice('Bearer '.length) ?? '';
    if (path === '/api/auth/login') return reply(200, { token, deviceId: 'd1', user: USER });
    if (path === '/api/auth/logout') return reply(204);
    if (path === '/api/me') return reply(200, { user: USER, spaces: [server.entity('space', personalSpaceId) as Space] });
    if (path === '/api/sync/push') return reply(200, await server.push(auth, body as PushRequest));
    if (path === '/api/sync/pull') return reply(200, await server.pull(auth, body as PullRequest));
    return reply(404, { error: { code: 'not_found', message: path } });
  };
}

function setup(parts: Pick<DuetClientParts, 'autoStart' | 'realtime'> = {}) {
  const server = new FakeServer();
  const online = manualSignal(true);
  const client = assembleDuetClient({
    storage: new MemoryStorage(),
    api: new ApiClient({ fetch: fakeFetch(server) }),
    engine: {
      online,
      visibility: manualSignal(true),
      lock: processLock(),
      bus: localBus(),
      clock: { now: () => server.now },
      periodicMs: 3_600_000,
    },
    autoStart: false,
    ...parts,
  });
  return { server, online, client };
}

describe('DuetClient', () => {
  it('needs the network to log in and says offline otherwise', async () => {
    const { client, online } = setup();
    await client.ready;
    online.set(false);
    await expect(client.auth.login({ email: 'u1@example.com', password: 'password1' })).rejects.toMatchObject({ code: 'offline' });
    expect(client.auth.current()).toBeNull();
  });

  it('lists conversations newest activity first, with the last message, and keeps the read mark through a sync', async () => {
    const { client, server } = setup();
    await client.ready;
    await client.auth.login({ email: 'u1@example.com', password: 'password1' });
    const spaceId = (await client.read.me())?.personalSpaceId ?? '';
    await client.mutate('conversation.create', { id: 'old', spaceId, title: 'Old' });
    server.now += 10;
    await client.mutate('conversation.create', { id: 'new', spaceId, title: 'New' });
    expect((await client.read.conversations()).map((c) => c.id)).toEqual(['new', 'old']);
    server.now += 10;
    await client.mutate('message.add', { id: 'm1', conversationId: 'old', body: 'back to this one' });
    const [first] = await client.read.conversations();
    expect(first).toMatchObject({ id: 'old', lastMessage: { id: 'm1', body: 'back to this one' }, unread: 0 });
    await client.mutate('conversation.read', { id: 'old', upTo: first?.lastActivityAt ?? 0 });
    await client.engine.syncNow();
    expect(server.entity('readMark', readMarkId(USER.id, 'old'))).toMatchObject({ readUpTo: first?.lastActivityAt });
    expect((await client.read.conversation('old'))?.readUpTo).toBe(first?.lastActivityAt);
  });

  it('logs in, writes offline-first, shows pending badges, and signs out only when asked to force', async () => {
    const { client, server } = setup();
    await client.ready;
    const signedIn = await client.auth.login({ email: 'u1@example.com', password: 'password1' });
    expect(client.auth.current()).toEqual(signedIn);
    const me = await client.read.me();
    expect(me?.personalSpaceId).toBe(`personal-${USER.id}`);

    await client.mutate('conversation.create', { id: 'c1', spaceId: me?.personalSpaceId ?? '', title: 'Ours' });
    await client.mutate('message.add', { id: 'm2', conversationId: 'c1', body: 'second' });
    server.now += 5;
    await client.mutate('message.add', { id: 'm1', conversationId: 'c1', body: 'first' });
    await client.mutate('message.delete', { id: 'm2' });
    expect((await client.read.conversations())[0]).toMatchObject({ id: 'c1', pendingChanges: 4 });
    // A deleted message stays in the list as a tombstone, for the "message deleted" placeholder.
    expect((await client.read.messages('c1')).map((m) => [m.id, m.pending, m.deleted, m.body])).toEqual([
      ['m2', true, true, ''],
      ['m1', true, false, 'first'],
    ]);

    expect(await client.signOut()).toEqual({ pending: 4 });
    await client.engine.syncNow();
    expect((await client.read.conversation('c1'))?.pendingChanges).toBe(0);
    expect(server.entity('message', 'm2')?.deleted).toBe(true);

    expect(await client.signOut()).toEqual({ pending: 0 });
    expect(client.auth.current()).toBeNull();
    expect(await client.read.conversations()).toEqual([]);
    expect(await client.read.me()).toBeNull();
  });

  it('orders messages by createdAt, then id', async () => {
    const { client, server } = setup();
    await client.ready;
    await client.auth.login({ email: 'u1@example.com', password: 'password1' });
    const space = (await client.read.me())?.personalSpaceId ?? '';
    await client.mutate('conversation.create', { id: 'c1', spaceId: space, title: 't' });
    await client.mutate('message.add', { id: 'b', conversationId: 'c1', body: 'x' });
    await client.mutate('message.add', { id: 'a', conversationId: 'c1', body: 'x' });
    server.now -= 10;
    await client.mutate('message.add', { id: 'z', conversationId: 'c1', body: 'x' });
    // The hlc never goes back, so createdAt (its wall time) is equal for all three: id decides.
    expect((await client.read.messages('c1')).map((m) => m.id)).toEqual(['a', 'b', 'z']);
    // A long conversation's first screen: the newest only, still oldest first.
    expect((await client.read.messages('c1', { last: 2 })).map((m) => m.id)).toEqual(['b', 'z']);
  });

  it('hides a dismissed conflict, through a synced mutation so every device of the person agrees', async () => {
    const { client } = setup();
    await client.ready;
    await client.auth.login({ email: 'u1@example.com', password: 'password1' });
    await client.engine.write(['conflicts'], (tx) =>
      tx.put('conflicts', {
        id: 'k1',
        entityKind: 'conversation',
        entityId: 'c1',
        field: 'title',
        yourValue: 'a',
        winningValue: 'b',
        yourHlc: '001763980000000:00000:a',
        winningHlc: '001763980000001:00000:b',
        winningBy: 'u2',
        at: 1,
      }),
    );
    expect((await client.read.conflicts()).map((c) => c.id)).toEqual(['k1']);
    await client.dismissConflict('k1');
    expect(await client.read.conflicts()).toEqual([]);
    const outbox = await client.engine.read((tx) => tx.getAll('outbox'));
    expect(outbox.map((m) => [m.name, m.args])).toEqual([['conflict.resolve', { id: 'k1', resolution: 'dismissed' }]]);
  });

  it('keeps the real-time socket connected exactly while signed in', async () => {
    FakeSocket.all = [];
    const { client } = setup({ autoStart: true, realtime: { url: 'ws://duet.test/api/sync/ws', WebSocket: FakeSocket } });
    await client.ready;
    expect(client.realtime.getSnapshot().status).toBe('stopped');
    const { token } = await client.auth.login({ email: 'u1@example.com', password: 'password1' });
    const socket = FakeSocket.latest();
    socket.open();
    expect(socket.sent).toEqual([{ type: 'auth', token }]);
    socket.receive({ type: 'poke' });
    expect(client.realtime.getSnapshot().status).toBe('connected');

    expect(await client.signOut()).toEqual({ pending: 0 });
    expect(socket.closedWith?.code).toBe(1000);
    expect(client.realtime.getSnapshot().status).toBe('stopped');
    client.close();
    expect(FakeSocket.all).toHaveLength(1);
  });
});
