// DELETE /api/account (docs/everyday-features.md): the password is asked again; the person's data
// goes, what they wrote in the shared space becomes tombstones, the partner keeps the space alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, type PushResponse } from '@duet/shared';
import pg from 'pg';
import request from 'supertest';
import { startTestServer, type TestServer } from './harness.ts';
import { clientOf, couple } from './support/accounts.ts';
import { entityIn, freshState } from './support/sync-client.ts';

const statuses = (r: PushResponse) => r.results.map((x) => (x.error ? `${x.status}:${x.error.code}` : x.status));

describe('deleting an account', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  const deleteAccount = (token: string, body: unknown) =>
    request(server.url)
      .delete('/api/account')
      .set('Authorization', `Bearer ${token}`)
      .send(body as object);

  it('refuses without the right password or a valid body, and changes nothing', async () => {
    const { ana } = await couple(server);
    const wrong = await deleteAccount(ana.token, { password: 'not-the-password' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toEqual({ error: { code: 'invalid_credentials', message: 'wrong password' } });
    for (const bad of [{}, { password: '' }, { password: 5 }, { password: 'a\u0000b' }]) {
      const answer = await deleteAccount(ana.token, bad);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('invalid_body');
    }
    const unauth = await request(server.url).delete('/api/account').send({ password: ana.password });
    expect(unauth.status).toBe(401);
    expect((await request(server.url).get('/api/me').set('Authorization', `Bearer ${ana.token}`)).status).toBe(200);
  });

  it('removes the person, their personal data and membership; their shared writing becomes tombstones; the partner keeps the rest', async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const anaClient = clientOf(server, ana);
    const shared = newId();
    const personal = newId();
    const anaMessage = newId();
    const anaTranscript = newId();
    anaClient.mutate('conversation.create', { id: shared, spaceId: sharedSpaceId, title: 'Ours' });
    anaClient.mutate('message.add', { id: anaMessage, conversationId: shared, body: 'from Ana' });
    anaClient.mutate('transcript.create', { id: anaTranscript, spaceId: sharedSpaceId, text: 'Ana: hello', language: 'en' });
    anaClient.mutate('conversation.create', { id: personal, spaceId: ana.personalSpaceId, title: 'Diary' });
    anaClient.mutate('message.add', { id: newId(), conversationId: personal, body: 'private' });
    expect(statuses(await anaClient.push())).toEqual(['applied', 'applied', 'applied', 'applied', 'applied']);
    const benClient = clientOf(server, ben);
    const benMessage = newId();
    benClient.mutate('message.add', { id: benMessage, conversationId: shared, body: 'from Ben', replyTo: anaMessage });
    expect(statuses(await benClient.push())).toEqual(['applied']);
    await benClient.pull();

    const gone = await deleteAccount(ana.token, { password: ana.password });
    expect(gone.status).toBe(204);

    // Ana's token no longer works, nor does her password.
    expect((await request(server.url).get('/api/me').set('Authorization', `Bearer ${ana.token}`)).status).toBe(401);
    const login = await request(server.url).post('/api/auth/login').send({ email: ana.email, password: ana.password });
    expect(login.status).toBe(401);

    // Ben's next pull: Ana's message and transcript are tombstones, the conversation and his reply
    // stay, and the shared space lists only him.
    const changes = await benClient.pull();
    expect(changes.pages.flatMap((p) => p.changes).length).toBeGreaterThan(0);
    expect(entityIn(benClient.state, 'message', anaMessage)).toMatchObject({ deleted: true, body: '' });
    expect(entityIn(benClient.state, 'transcript', anaTranscript)).toMatchObject({ deleted: true, text: '' });
    expect(entityIn(benClient.state, 'message', benMessage)).toMatchObject({ body: 'from Ben', deleted: false, replyTo: anaMessage });
    expect(entityIn(benClient.state, 'conversation', shared)).toMatchObject({ title: 'Ours' });
    expect(entityIn(benClient.state, 'space', sharedSpaceId)).toMatchObject({ members: [{ userId: ben.userId }] });
    const fresh = await freshState(server, ben.token);
    expect(entityIn(fresh, 'conversation', personal)).toBeUndefined();
    expect(entityIn(fresh, 'space', sharedSpaceId)).toMatchObject({ members: [{ userId: ben.userId }] });

    // Nothing of Ana is left in the database.
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    const left = await db.query<{ n: string }>(
      `SELECT (SELECT count(*) FROM users WHERE id = $1) + (SELECT count(*) FROM devices WHERE user_id = $1)
            + (SELECT count(*) FROM space_members WHERE user_id = $1) + (SELECT count(*) FROM spaces WHERE id = $2)
            + (SELECT count(*) FROM entities WHERE space_id = $2) AS n`,
      [ana.userId, ana.personalSpaceId],
    );
    await db.end();
    expect(Number(left.rows[0]?.n)).toBe(0);
  });
});
