// "A 200 means every applied mutation is durably committed" (PROTOCOL.md "Push"): the real server
// binary is SIGKILLed right after a 200 and restarted on the same database, and the change is there.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponseSchema, newId } from '@duet/shared';
import { createTestDatabase } from './harness.ts';
import { describeResponse, login, pull, push } from './support/api.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { entitiesOf, entityIn, freshState, hlcAt } from './support/sync-client.ts';

describe('durability across a SIGKILL', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await killAllServerProcesses();
    await database?.drop();
  });

  it('keeps every change acknowledged with a 200 when the process is killed at once', async () => {
    const env = { DATABASE_URL: (database as { url: string }).url };
    const email = `durable-${newId().toLowerCase()}@example.test`;
    const password = 'durable password';
    const clientId = `durable-${newId()}`;
    let server = await startServerProcess(env);
    try {
      const created = await request(server.url).post('/api/auth/signup').send({ email, password, displayName: 'Dura' });
      expect(created.status, describeResponse(created)).toBe(201);
      const { token } = AuthResponseSchema.parse(created.body);
      const me = await request(server.url).get('/api/me').set('Authorization', `Bearer ${token}`);
      const spaceId = (me.body as { spaces: Array<{ id: string }> }).spaces[0]?.id as string;
      const conversation = newId();
      const messages: string[] = [];
      let nextId = 1;

      for (let round = 0; round < 3; round++) {
        const batch = [];
        if (round === 0) {
          batch.push({
            id: nextId++,
            name: 'conversation.create',
            args: { id: conversation, spaceId, title: 'Survives' },
            hlc: hlcAt(Date.now(), clientId, 0),
          });
        }
        for (let i = 0; i < 5; i++) {
          const id = newId();
          messages.push(id);
          batch.push({
            id: nextId,
            name: 'message.add',
            args: { id, conversationId: conversation, body: `round ${round} #${i}` },
            hlc: hlcAt(Date.now(), clientId, nextId),
          });
          nextId += 1;
        }
        const answer = await push(server, token, clientId, batch);
        expect(answer.results.every((r) => r.status === 'applied')).toBe(true);
        // No grace: the process dies the moment the 200 is in.
        const killed = await server.stop('SIGKILL');
        expect(killed.signal).toBe('SIGKILL');

        server = await startServerProcess(env);
        const state = await freshState(server, token);
        expect(entityIn(state, 'conversation', conversation)?.title).toBe('Survives');
        expect(
          entitiesOf(state, 'message')
            .map((m) => m.id)
            .sort(),
        ).toEqual([...messages].sort());
        expect((await pull(server, token, { clientId, cursor: null })).lastMutationId).toBe(nextId - 1);
      }

      // The account itself survived too.
      expect((await login(server, email, password)).user.email).toBe(email);
    } finally {
      await server.stop('SIGKILL');
    }
  }, 120_000);
});
