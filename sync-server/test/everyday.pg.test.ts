// The everyday features' server side (docs/everyday-features.md): read marks and replies, black-box.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, readMarkId, type PushResponse } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { clientOf, couple } from './support/accounts.ts';
import { entityIn, freshState } from './support/sync-client.ts';

const statuses = (r: PushResponse) => r.results.map((x) => (x.error ? `${x.status}:${x.error.code}` : x.status));

describe('everyday features on the server', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("keeps each person's read mark in their own space: their devices see it, the partner never does", async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const phone = clientOf(server, ana);
    const conversationId = newId();
    phone.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'Chat' });
    phone.mutate('conversation.read', { id: conversationId, upTo: 2_000 });
    // A second device of Ana read less far: the mark does not go back.
    expect(statuses(await phone.push())).toEqual(['applied', 'applied']);
    const laptop = clientOf(server, ana);
    laptop.mutate('conversation.read', { id: conversationId, upTo: 1_000 });
    expect(statuses(await laptop.push())).toEqual(['applied']);

    const anaState = await freshState(server, ana.token);
    expect(entityIn(anaState, 'readMark', readMarkId(ana.userId, conversationId))).toEqual({
      id: readMarkId(ana.userId, conversationId),
      spaceId: ana.personalSpaceId,
      userId: ana.userId,
      conversationId,
      readUpTo: 2_000,
    });
    const benState = await freshState(server, ben.token);
    expect([...benState.keys()].some((key) => key.startsWith('readMark/'))).toBe(false);
  });

  it('refuses a read mark for a conversation the user cannot see, and bad args, without failing the batch', async () => {
    const { ana, ben } = await couple(server);
    const conversationId = newId();
    const anaClient = clientOf(server, ana);
    anaClient.mutate('conversation.create', { id: conversationId, spaceId: ana.personalSpaceId, title: 'Private' });
    expect(statuses(await anaClient.push())).toEqual(['applied']);
    const benClient = clientOf(server, ben);
    benClient.mutate('conversation.read', { id: conversationId, upTo: 1 });
    benClient.mutate('conversation.read', { id: conversationId, upTo: -5 });
    benClient.mutate('conversation.read', { id: conversationId });
    expect(statuses(await benClient.push())).toEqual(['rejected:forbidden', 'rejected:invalid_args', 'rejected:invalid_args']);
  });

  it('stores a reply with the message it answers, which survives the original being deleted', async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const anaClient = clientOf(server, ana);
    const conversationId = newId();
    const original = newId();
    anaClient.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'Plans' });
    anaClient.mutate('message.add', { id: original, conversationId, body: 'Lisbon in May?' });
    expect(statuses(await anaClient.push())).toEqual(['applied', 'applied']);

    const benClient = clientOf(server, ben);
    const reply = newId();
    const elsewhere = newId();
    benClient.mutate('message.add', { id: reply, conversationId, body: 'Yes!', replyTo: original });
    benClient.mutate('message.add', { id: elsewhere, conversationId, body: 'x', replyTo: 'no-such-message' });
    expect(statuses(await benClient.push())).toEqual(['applied', 'rejected:invalid_args']);

    anaClient.mutate('message.delete', { id: original });
    expect(statuses(await anaClient.push())).toEqual(['applied']);
    const state = await freshState(server, ana.token);
    expect(entityIn(state, 'message', reply)).toMatchObject({ body: 'Yes!', replyTo: original, deleted: false, authorId: ben.userId });
    expect(entityIn(state, 'message', original)).toMatchObject({ body: '', deleted: true });
    expect(entityIn(state, 'message', elsewhere)).toBeUndefined();
  });
});
