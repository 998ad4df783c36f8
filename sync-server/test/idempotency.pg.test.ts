// A push is idempotent (PROTOCOL.md "Push"): a batch whose answer was lost can be sent again,
// one after the other or at once, and nothing is applied twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type PushResponse } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { pull, push, type Envelope } from './support/api.ts';
import { clientOf, couple, type Couple } from './support/accounts.ts';
import { entitiesOf, freshState, snapshot } from './support/sync-client.ts';

function batchFor(client: ReturnType<typeof clientOf>, c: Couple): { batch: Envelope[]; messages: string[] } {
  const conv = newId();
  const messages = [newId(), newId(), newId()];
  const batch = [
    client.mutate('conversation.create', { id: conv, spaceId: c.sharedSpaceId, title: 'Once' }),
    ...messages.map((id, i) => client.mutate('message.add', { id, conversationId: conv, body: `only once ${i}` })),
    client.mutate('message.edit', { id: messages[0], body: 'edited once' }),
    client.mutate('session.start', { id: newId(), startedAt: Date.now() - 1000 }),
    client.mutate('transcript.create', { id: newId(), spaceId: c.sharedSpaceId, conversationId: conv, text: 'once', language: 'en' }),
    client.mutate('conversation.update', { id: conv, title: 'x'.repeat(300) }),
  ];
  return { batch, messages };
}

describe('idempotent push', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('applies nothing twice when the same batch is sent again', async () => {
    const c = await couple(server);
    const client = clientOf(server, c.ana);
    const { batch, messages } = batchFor(client, c);
    const first = await push(server, c.ana.token, client.clientId, batch);
    expect(first.results.map((r) => r.status)).toEqual([
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
      'applied',
      'rejected',
    ]);
    const afterFirst = snapshot(await freshState(server, c.ben.token));
    const anaAfterFirst = snapshot(await freshState(server, c.ana.token));

    const second = await push(server, c.ana.token, client.clientId, batch);
    expect(second).toEqual({ lastMutationId: batch.length, results: batch.map((m) => ({ id: m.id, status: 'duplicate' })) });

    const ben = await freshState(server, c.ben.token);
    expect(snapshot(ben), 'the resend changed nothing, not even versions').toEqual(afterFirst);
    expect(snapshot(await freshState(server, c.ana.token))).toEqual(anaAfterFirst);
    const bodies = entitiesOf(ben, 'message')
      .map((m) => m.body)
      .sort();
    expect(bodies).toEqual(['edited once', 'only once 1', 'only once 2']);
    expect(
      entitiesOf(ben, 'message')
        .map((m) => m.id)
        .sort(),
    ).toEqual([...messages].sort());
    expect(entitiesOf(ben, 'conversation')).toHaveLength(1);
    expect(entitiesOf(ben, 'transcript')).toHaveLength(1);
    expect((await pull(server, c.ana.token, { clientId: client.clientId, cursor: null })).lastMutationId).toBe(batch.length);
  });

  it('applies only the new tail when a resent batch grew', async () => {
    const c = await couple(server);
    const client = clientOf(server, c.ana);
    const { batch } = batchFor(client, c);
    await push(server, c.ana.token, client.clientId, batch);
    const conv = (batch[0]?.args as { id: string }).id;
    const extra = client.mutate('message.add', { id: newId(), conversationId: conv, body: 'the new one' });
    const res = await push(server, c.ana.token, client.clientId, [...batch, extra]);
    expect(res.results.map((r) => r.status)).toEqual([...batch.map(() => 'duplicate'), 'applied']);
    expect(res.lastMutationId).toBe(extra.id);
    expect(entitiesOf(await freshState(server, c.ben.token), 'message')).toHaveLength(4);
  });

  it('applies each mutation exactly once when the same batch is sent several times at once', async () => {
    const c = await couple(server);
    const client = clientOf(server, c.ana);
    // The client is known to the server already, so nothing but the server's own locking orders the resends.
    const warmUp = client.mutate('session.start', { id: newId(), startedAt: Date.now() - 5000 });
    await push(server, c.ana.token, client.clientId, [warmUp]);
    const { batch } = batchFor(client, c);
    const responses: PushResponse[] = await Promise.all(Array.from({ length: 6 }, () => push(server, c.ana.token, client.clientId, batch)));
    for (let i = 0; i < batch.length; i++) {
      const processed = responses.filter((r) => ['applied', 'rejected'].includes(r.results[i]?.status ?? '')).length;
      const duplicates = responses.filter((r) => r.results[i]?.status === 'duplicate').length;
      expect([processed, duplicates], `mutation ${batch[i]?.id}`).toEqual([1, responses.length - 1]);
    }
    for (const r of responses) expect(r.lastMutationId).toBe(batch.length + 1);

    const state = await freshState(server, c.ben.token);
    expect(entitiesOf(state, 'message')).toHaveLength(3);
    expect(entitiesOf(state, 'conversation')).toHaveLength(1);

    expect(
      entitiesOf(state, 'message')
        .map((m) => m.body)
        .sort(),
    ).toEqual(['edited once', 'only once 1', 'only once 2']);
    // Once settled, yet another resend changes nothing.
    const settled = snapshot(state);
    await push(server, c.ana.token, client.clientId, batch);
    expect(snapshot(await freshState(server, c.ben.token))).toEqual(settled);
  });
});
