// Live queries follow the stores they read: a write elsewhere does not re-run them.
import { describe, expect, it } from 'vitest';
import { clientHarness } from './testing/fake-api.ts';

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
});
