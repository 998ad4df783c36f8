// Live queries follow the stores they read: a write elsewhere does not re-run them.
import { describe, expect, it } from 'vitest';
import { clientHarness } from './testing/fake-api.ts';
import { touches } from './live-query.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('client.live', () => {
  it('re-runs when a store it read changes, and only then', async () => {
    const { client, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    let runs = 0;
    const query = client.live(async (reads) => {
      runs += 1;
      return (await reads.sessions()).length;
    });
    const seen: Array<number | undefined> = [];
    const unsubscribe = query.subscribe(() => seen.push(query.getSnapshot()));
    await settle();
    expect(query.getSnapshot()).toBe(0);
    const afterFirst = runs;

    // Dismissing rejected notices writes stores the sessions query never read.
    await client.dismissRejected();
    await client.mutate('conversation.create', { id: 'c1', spaceId, title: 'x' });
    await settle();
    expect(runs).toBe(afterFirst);

    await client.sessionTracker.start();
    await settle();
    expect(runs).toBeGreaterThan(afterFirst);
    expect(query.getSnapshot()).toBe(1);
    expect(seen.at(-1)).toBe(1);

    unsubscribe();
    const afterUnsubscribe = runs;
    await client.sessionTracker.end();
    await settle();
    expect(runs).toBe(afterUnsubscribe);
  });

  it('knows the stores of each run: a query that reads more follows more', async () => {
    const { client, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    const query = client.live((reads) => reads.conversations({ spaceId }));
    const unsubscribe = query.subscribe(() => undefined);
    await settle();
    expect(query.getSnapshot()).toEqual([]);
    await client.mutate('conversation.create', { id: 'c1', spaceId, title: 'New' });
    await settle();
    expect(query.getSnapshot()?.map((c) => [c.id, c.pendingChanges])).toEqual([['c1', 1]]);
    await client.engine.syncNow();
    await settle();
    expect(query.getSnapshot()?.map((c) => [c.id, c.pendingChanges])).toEqual([['c1', 0]]);
    unsubscribe();
  });

  it('passes index options through: a conversation’s last messages are only those', async () => {
    const { client, signIn } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    await client.mutate('conversation.create', { id: 'c1', spaceId, title: 'Long' });
    for (let i = 0; i < 5; i++) await client.mutate('message.add', { id: `m${i}`, conversationId: 'c1', body: `#${i}` });
    const query = client.live((reads) => reads.messages('c1', { last: 2 }));
    const unsubscribe = query.subscribe(() => undefined);
    await settle();
    expect(query.getSnapshot()?.map((m) => m.body)).toEqual(['#3', '#4']);
    unsubscribe();
  });

  it('does not re-run a query over stores a pulled page left alone', async () => {
    const { client, signIn, server } = clientHarness();
    await client.ready;
    const spaceId = await signIn('ana@example.com');
    let runs = 0;
    const query = client.live(async (reads) => {
      runs += 1;
      return (await reads.sessions()).length;
    });
    const unsubscribe = query.subscribe(() => undefined);
    await settle();
    const afterFirst = runs;
    // Another device of Ana's writes a conversation: the pull writes conversations (and meta), not sessions.
    await server.applyAs('ana', {
      name: 'conversation.create',
      args: { id: 'c9', spaceId, title: 'From the laptop' },
      hlc: '001763980000500:00000:ana-laptop',
    });
    await client.engine.syncNow();
    await settle();
    expect((await client.read.conversations()).map((c) => c.id)).toEqual(['c9']);
    expect(runs).toBe(afterFirst);
    unsubscribe();
  });

  it('follows meta by key: a pull’s cursor does not re-run a query that read who is signed in', () => {
    const readUser = new Set(['meta:user', 'conversations']);
    expect(touches(['meta:cursor', 'meta:hlc', 'outbox'], readUser)).toBe(false);
    expect(touches(['meta:user'], readUser)).toBe(true);
    expect(touches(['meta'], readUser), 'plain meta is every key').toBe(true);
    expect(touches(['meta:cursor'], new Set(['meta'])), 'a query that read all of meta').toBe(true);
    expect(touches(['conversations'], readUser)).toBe(true);
    expect(touches(['messages'], readUser)).toBe(false);
  });
});
