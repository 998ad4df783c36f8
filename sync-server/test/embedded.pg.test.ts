// The embedded default (no DATABASE_URL: PGlite under DATA_DIR) keeps its data across a graceful
// restart. It needs no Postgres server, but runs the real binary, so it sits with the .pg tests.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponseSchema, newId } from '@duet/shared';
import { describeResponse, login, pull, push } from './support/api.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { entityIn, freshState, hlcAt } from './support/sync-client.ts';

describe('embedded database', () => {
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-embedded-'));
  });
  afterAll(async () => {
    await killAllServerProcesses();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps accounts and synced data across a SIGTERM and a restart on the same DATA_DIR', async () => {
    const env = { DATA_DIR: dataDir };
    const email = `embedded-${newId().toLowerCase()}@example.test`;
    const password = 'embedded password';
    const clientId = `emb-${newId()}`;
    const conversation = newId();
    const message = newId();

    let server = await startServerProcess(env, 60_000);
    try {
      const created = await request(server.url).post('/api/auth/signup').send({ email, password, displayName: 'Emma' });
      expect(created.status, describeResponse(created)).toBe(201);
      const { token } = AuthResponseSchema.parse(created.body);
      const me = await request(server.url).get('/api/me').set('Authorization', `Bearer ${token}`);
      const spaceId = (me.body as { spaces: Array<{ id: string }> }).spaces[0]?.id as string;
      const answer = await push(server, token, clientId, [
        { id: 1, name: 'conversation.create', args: { id: conversation, spaceId, title: 'Kept' }, hlc: hlcAt(Date.now(), clientId, 1) },
        {
          id: 2,
          name: 'message.add',
          args: { id: message, conversationId: conversation, body: 'still here' },
          hlc: hlcAt(Date.now(), clientId, 2),
        },
      ]);
      expect(answer.results.map((r) => r.status)).toEqual(['applied', 'applied']);

      const stopped = await server.stop('SIGTERM');
      expect(stopped.timedOut, `graceful shutdown on SIGTERM:\n${server.output()}`).toBe(false);
      expect(stopped.code, `exit code after SIGTERM:\n${server.output()}`).toBe(0);

      server = await startServerProcess(env, 60_000);
      const again = await login(server, email, password);
      const state = await freshState(server, again.token);
      expect(entityIn(state, 'conversation', conversation)?.title).toBe('Kept');
      expect(entityIn(state, 'message', message)?.body).toBe('still here');
      expect((await pull(server, again.token, { clientId, cursor: null })).lastMutationId).toBe(2);
    } finally {
      await server.stop('SIGTERM');
    }
  }, 150_000);
});
