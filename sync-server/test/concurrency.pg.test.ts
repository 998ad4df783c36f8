// Pull guarantee 1 (no skipped change) under concurrent pushes: pullers page with small limits
// while six clients of two partners push, and must see every change acknowledged before each pull began.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareHlc, newId } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { clientOf, couple, type Account } from './support/accounts.ts';
import { Random } from './support/random.ts';
import { entityIn, freshState, keyOf, snapshot, type SyncClient } from './support/sync-client.ts';

interface AckedMessage {
  id: string;
  spaceId: string;
}

interface TitleWrite {
  hlc: string;
  title: string;
}

const ROUNDS = 4;
const BATCHES_PER_ROUND = 3;
const MUTATIONS_PER_BATCH = 6;

describe('concurrent pushes and paged pulls', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('never skips a committed change, and ends equal to a fresh full pull', async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const random = new Random(20_251_129);
    const setup = clientOf(server, ana, 'setup');
    const sharedConversations = [newId(), newId()];
    for (const id of sharedConversations) setup.mutate('conversation.create', { id, spaceId: sharedSpaceId, title: 'start' });
    const personalConversation = new Map<string, string>([
      [ana.userId, newId()],
      [ben.userId, newId()],
    ]);
    setup.mutate('conversation.create', { id: personalConversation.get(ana.userId), spaceId: ana.personalSpaceId, title: 'Ana notes' });
    expect((await setup.push()).results.every((r) => r.status === 'applied')).toBe(true);
    const benSetup = clientOf(server, ben, 'setup');
    benSetup.mutate('conversation.create', { id: personalConversation.get(ben.userId), spaceId: ben.personalSpaceId, title: 'Ben notes' });
    await benSetup.push();

    const writers: Array<{ client: SyncClient; who: Account }> = [];
    for (let i = 0; i < 3; i++) writers.push({ client: clientOf(server, ana, `ana-w${i}`), who: ana });
    for (let i = 0; i < 3; i++) writers.push({ client: clientOf(server, ben, `ben-w${i}`), who: ben });
    const pullers = [
      { client: clientOf(server, ana, 'ana-reader'), visible: new Set([sharedSpaceId, ana.personalSpaceId]) },
      { client: clientOf(server, ben, 'ben-reader'), visible: new Set([sharedSpaceId, ben.personalSpaceId]) },
    ];

    const acked: AckedMessage[] = [];
    const titleWrites = new Map<string, TitleWrite[]>(sharedConversations.map((id) => [id, []]));
    let pushes = 0;
    let catchUps = 0;

    async function write(client: SyncClient, who: Account): Promise<void> {
      for (let b = 0; b < BATCHES_PER_ROUND; b++) {
        const batch: Array<{ message?: AckedMessage; title?: { conversationId: string } & TitleWrite }> = [];
        for (let m = 0; m < MUTATIONS_PER_BATCH; m++) {
          const roll = random.next();
          if (roll < 0.15) {
            const conversationId = random.pick(sharedConversations);
            const title = `${client.clientId} ${random.word()} ${random.int(0, 999)}`;
            const env = client.mutate('conversation.update', { id: conversationId, title });
            batch.push({ title: { conversationId, hlc: env.hlc, title } });
          } else {
            const personal = roll < 0.35;
            const conversationId = personal ? (personalConversation.get(who.userId) as string) : random.pick(sharedConversations);
            const id = newId();
            client.mutate('message.add', { id, conversationId, body: `${random.word()} from ${client.clientId}` });
            batch.push({ message: { id, spaceId: personal ? who.personalSpaceId : sharedSpaceId } });
          }
        }
        const response = await client.push();
        pushes += 1;
        expect(response.results.map((r) => r.status)).toEqual(Array(MUTATIONS_PER_BATCH).fill('applied'));
        for (const item of batch) {
          if (item.message) acked.push(item.message);
          if (item.title) titleWrites.get(item.title.conversationId)?.push({ hlc: item.title.hlc, title: item.title.title });
        }
      }
    }

    async function read(client: SyncClient, visible: Set<string>, writersDone: () => boolean): Promise<void> {
      for (;;) {
        const finished = writersDone();
        // Everything acknowledged before this catch-up began must be there when it ends.
        const required = acked.filter((m) => visible.has(m.spaceId));
        await client.pull(random.int(3, 7));
        catchUps += 1;
        const missing = required.filter((m) => !client.state.has(keyOf('message', m.id)));
        expect(missing, `${client.clientId} skipped ${missing.length} of ${required.length} acknowledged messages`).toEqual([]);
        if (finished) return;
      }
    }

    for (let round = 0; round < ROUNDS; round++) {
      let done = false;
      const writing = Promise.all(writers.map((w) => write(w.client, w.who))).finally(() => {
        done = true;
      });
      await Promise.all([writing, ...pullers.map((p) => read(p.client, p.visible, () => done))]);
    }

    expect(pushes).toBe(ROUNDS * BATCHES_PER_ROUND * writers.length);
    expect(catchUps).toBeGreaterThan(ROUNDS * pullers.length);
    for (const { client, visible } of pullers) {
      const fresh = await freshState(server, client.token, 1000);
      expect(snapshot(client.state), `${client.clientId} holds what a fresh full pull gives`).toEqual(snapshot(fresh));
      const expectedMessages = acked
        .filter((m) => visible.has(m.spaceId))
        .map((m) => m.id)
        .sort();
      const held = [...client.state.values()]
        .filter((c) => c.kind === 'message')
        .map((c) => c.id)
        .sort();
      expect(held, 'exactly the acknowledged messages').toEqual(expectedMessages);
      for (const [conversationId, writes] of titleWrites) {
        if (writes.length === 0) continue;
        const winner = writes.reduce((a, b) => (compareHlc(a.hlc, b.hlc) >= 0 ? a : b));
        expect(entityIn(client.state, 'conversation', conversationId)?.title, 'the title is the write with the largest hlc').toBe(
          winner.title,
        );
      }
    }
    expect(acked.length).toBeGreaterThan(200);
  }, 60_000);
});
