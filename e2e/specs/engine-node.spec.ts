/**
 * The sync engine's core in Node, against the real server (no browser): the same code the PWA
 * runs, on in-memory storage, with the network switched off and on by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, assembleDuetClient, manualSignal, MemoryStorage, type SyncStorage } from '@duet/client';
import { startAppServer, type AppServer } from '../support/app-server.ts';

type Signal = ReturnType<typeof manualSignal>;

interface Device {
  client: ReturnType<typeof assembleDuetClient>;
  online: Signal;
}

let server: AppServer;
let run = 0;

/** A device: our engine on `storage`, with its own online switch and, optionally, its own fetch. */
function device(storage: SyncStorage, online: Signal, fetchFn?: typeof fetch): Device {
  const api = new ApiClient({ baseUrl: server.url, ...(fetchFn ? { fetch: fetchFn } : {}) });
  const client = assembleDuetClient({
    storage,
    api,
    engine: { online, visibility: manualSignal(true), periodicMs: 3_600_000 },
    autoStart: false,
  });
  return { client, online };
}

async function newAccount(d: Device): Promise<{ email: string; password: string; spaceId: string }> {
  const email = `engine-${Date.now()}-${++run}@e2e.test`;
  const password = 'engine-password';
  await d.client.ready;
  await d.client.auth.signup({ email, password, displayName: `Engine ${run}` });
  await d.client.engine.syncNow();
  const spaceId = (await d.client.read.spaces())[0]?.id;
  if (!spaceId) throw new Error('no personal space after the first sync');
  return { email, password, spaceId };
}

async function otherDevice(account: { email: string; password: string }): Promise<Device> {
  const d = device(new MemoryStorage(), manualSignal(true));
  await d.client.ready;
  await d.client.auth.login(account);
  await d.client.engine.syncNow();
  return d;
}

beforeAll(async () => {
  server = await startAppServer();
});

afterAll(async () => {
  await server?.stop();
});

describe('the sync engine in Node against the real server', () => {
  it('applies a mutation made offline exactly once, after a reload offline and the network back', async () => {
    const storage = new MemoryStorage();
    const first = device(storage, manualSignal(true));
    const account = await newAccount(first);
    const conversationId = first.client.newId();
    await first.client.mutate('conversation.create', { id: conversationId, spaceId: account.spaceId, title: 'Train notes' });
    await first.client.engine.syncNow();

    first.online.set(false);
    const messageId = first.client.newId();
    await first.client.mutate('message.add', { id: messageId, conversationId, body: 'written offline' });
    await first.client.engine.syncNow();
    expect(first.client.engine.getStatus().pending).toBe(1);
    // The page goes away; its storage (IndexedDB in a browser) stays.
    first.client.engine.stop();

    // "Reload": a new engine on the same storage, still offline; the outbox is still there.
    const reloaded = device(storage, manualSignal(false));
    await reloaded.client.ready;
    expect((await reloaded.client.read.messages(conversationId)).map((m) => m.body)).toEqual(['written offline']);
    expect(reloaded.client.engine.getStatus().pending).toBe(1);

    reloaded.online.set(true);
    await reloaded.client.engine.syncNow();
    await reloaded.client.engine.syncNow();
    expect(reloaded.client.engine.getStatus().pending).toBe(0);

    const other = await otherDevice(account);
    const messages = await other.client.read.messages(conversationId);
    expect(messages.filter((m) => m.id === messageId)).toHaveLength(1);
    expect(messages.map((m) => m.body)).toEqual(['written offline']);
    reloaded.client.close();
    other.client.close();
  });

  it('applies nothing twice when a push answer is lost and the batch is sent again', async () => {
    let dropNextPushAnswer = false;
    const flaky: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (dropNextPushAnswer && (input instanceof Request ? input.url : input.toString()).endsWith('/api/sync/push')) {
        dropNextPushAnswer = false;
        // The server committed; the answer never reaches the device.
        throw new TypeError('network connection lost');
      }
      return response;
    };
    const d = device(new MemoryStorage(), manualSignal(true), flaky);
    const account = await newAccount(d);
    const conversationId = d.client.newId();
    await d.client.mutate('conversation.create', { id: conversationId, spaceId: account.spaceId, title: 'Lost answers' });
    for (let i = 0; i < 5; i++) await d.client.mutate('message.add', { id: d.client.newId(), conversationId, body: `m${i}` });
    dropNextPushAnswer = true;
    await d.client.engine.syncNow();
    expect(d.client.engine.getStatus().error).not.toBeNull();
    await d.client.engine.syncNow();
    expect(d.client.engine.getStatus().pending).toBe(0);

    const other = await otherDevice(account);
    // In the order they were written, even those written within one millisecond.
    expect((await other.client.read.messages(conversationId)).map((m) => m.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    d.client.close();
    other.client.close();
  });

  it('brings two devices that edited the same title offline to the same winner, and tells the loser', async () => {
    const a = device(new MemoryStorage(), manualSignal(true));
    const account = await newAccount(a);
    const conversationId = a.client.newId();
    await a.client.mutate('conversation.create', { id: conversationId, spaceId: account.spaceId, title: 'Groceries' });
    await a.client.engine.syncNow();
    const b = await otherDevice(account);

    a.online.set(false);
    b.online.set(false);
    await a.client.mutate('conversation.update', { id: conversationId, title: 'Groceries (phone)' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await b.client.mutate('conversation.update', { id: conversationId, title: 'Groceries (tablet)' });

    a.online.set(true);
    await a.client.engine.syncNow();
    b.online.set(true);
    await b.client.engine.syncNow();
    await a.client.engine.syncNow();

    const titleOn = async (d: Device) => (await d.client.read.conversation(conversationId))?.title;
    expect(await titleOn(a)).toBe('Groceries (tablet)');
    expect(await titleOn(b)).toBe('Groceries (tablet)');
    const conflicts = await a.client.read.conflicts();
    expect(conflicts).toEqual([
      expect.objectContaining({
        entityId: conversationId,
        field: 'title',
        yourValue: 'Groceries (phone)',
        winningValue: 'Groceries (tablet)',
      }),
    ]);
    // The device whose write won is not told anything.
    expect(await b.client.read.conflicts()).toEqual([]);
    a.client.close();
    b.client.close();
  });
});
