// Text Postgres cannot store (U+0000, lone surrogates) is refused as input, and a mutation whose
// write Postgres refuses as data is rejected on its own: neither wedges the batch or the device.
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { signup, type TestServer } from './harness.ts';
import { couple, clientOf, startWithAccounts, type Couple } from './support/accounts.ts';
import { bearer, expectError, push } from './support/api.ts';
import { entityIn, freshState, hlcAt } from './support/sync-client.ts';
import { createTranscript, pushApplied, queryDatabase } from './support/transcript-watch.ts';
import { createUpload, type TusResponse } from './support/tus-http.ts';

const BAD_TEXT: Array<[string, string]> = [
  ['U+0000', 'before\u0000after'],
  ['a lone high surrogate', 'cut emoji \ud83d'],
  ['a lone low surrogate', '\ude00 tail'],
];

function tusErrorCode(response: TusResponse): string | null {
  try {
    return (JSON.parse(response.body) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

describe('text Postgres cannot store', () => {
  let server: TestServer;
  let people: Couple;

  beforeAll(async () => {
    ({ server, accounts: people } = await startWithAccounts(couple));
  });
  afterAll(async () => {
    await server?.close();
  });

  describe.each(BAD_TEXT)('with %s', (_name, bad) => {
    it('each bad mutation of a push is rejected invalid_args and the rest of the batch is applied', async () => {
      const clientId = `bad-${newId()}`;
      const conversationId = newId();
      const transcriptId = newId();
      const hlc = hlcAt(Date.now(), clientId);
      const space = people.sharedSpaceId;
      const good = () => ({ name: 'message.add', args: { id: newId(), conversationId, body: 'still here' } });
      const steps = [
        { name: 'conversation.create', args: { id: conversationId, spaceId: space, title: 'Trip' } },
        { name: 'transcript.create', args: { id: transcriptId, spaceId: space, text: 'fine', language: 'en' } },
        { name: 'message.add', args: { id: newId(), conversationId, body: bad }, bad: true },
        good(),
        { name: 'message.edit', args: { id: newId(), body: bad }, bad: true },
        { name: 'conversation.create', args: { id: newId(), spaceId: space, title: bad }, bad: true },
        good(),
        { name: 'conversation.update', args: { id: conversationId, title: bad }, bad: true },
        { name: 'transcript.create', args: { id: newId(), spaceId: space, text: bad, language: 'en' }, bad: true },
        { name: 'transcript.update', args: { id: transcriptId, text: bad }, bad: true },
        good(),
      ];
      const mutations = steps.map((s, i) => ({ id: i + 1, name: s.name, args: s.args, hlc }));
      const response = await push(server, people.ana.token, clientId, mutations);

      expect(response.lastMutationId).toBe(steps.length);
      for (const [i, step] of steps.entries()) {
        const result = response.results[i];
        if ('bad' in step) expect(result, step.name).toMatchObject({ status: 'rejected', error: { code: 'invalid_args' } });
        else expect(result, step.name).toEqual({ id: i + 1, status: 'applied' });
      }
      const state = await freshState(server, people.ben.token);
      for (const step of steps.filter((s) => !('bad' in s) && s.name === 'message.add')) {
        expect(entityIn(state, 'message', (step.args as { id: string }).id)?.body).toBe('still here');
      }
      expect(entityIn(state, 'conversation', conversationId)?.title).toBe('Trip');
      expect(entityIn(state, 'transcript', transcriptId)?.text).toBe('fine');
    });

    it('signup and login answer 400 invalid_body for it in any field', async () => {
      const body = { email: `bad-${newId().toLowerCase()}@example.test`, password: 'long enough', displayName: 'Ana' };
      for (const field of ['email', 'password', 'displayName'] as const) {
        const value = field === 'email' ? body.email.replace('@', `${bad}@`) : `${body[field]}${bad}`;
        expectError(
          await request(server.url)
            .post('/api/auth/signup')
            .send({ ...body, [field]: value }),
          400,
          'invalid_body',
        );
      }
      const account = await signup(server);
      const login = { email: account.email, password: account.password };
      expectError(
        await request(server.url)
          .post('/api/auth/login')
          .send({ ...login, deviceName: `phone${bad}` }),
        400,
        'invalid_body',
      );
      expectError(
        await request(server.url)
          .post('/api/auth/login')
          .send({ ...login, password: `${account.password}${bad}` }),
        400,
        'invalid_body',
      );
      expectError(
        await request(server.url)
          .post('/api/auth/login')
          .send({ ...login, email: `${bad}${account.email}` }),
        400,
        'invalid_body',
      );
    });

    it('invite accept answers 400 invalid_body for it in the code', async () => {
      const res = await request(server.url)
        .post('/api/invites/accept')
        .set('Authorization', bearer(people.ana.token))
        .send({ code: `AB${bad}CD` });
      expectError(res, 400, 'invalid_body');
    });
  });

  it('an audio path whose id holds U+0000 answers 400 invalid_body', async () => {
    const res = await request(server.url).get('/api/transcripts/abc%00def/audio').set('Authorization', bearer(people.ana.token));
    expectError(res, 400, 'invalid_body');
  });

  it('a tus upload whose transcriptId metadata holds U+0000 answers 400 invalid_body', async () => {
    const { response } = await createUpload(server, people.ana.token, {
      length: 100,
      metadata: { transcriptId: 'abc\u0000def', filetype: 'audio/ogg' },
    });
    expect(response.status, response.body).toBe(400);
    expect(tusErrorCode(response)).toBe('invalid_body');
  });

  it('a tus upload with U+0000 in any other metadata (its file name) answers 400 invalid_body and stores nothing', async () => {
    const client = clientOf(server, people.ana, 'bad-meta');
    const transcriptId = newId();
    createTranscript(client, { id: transcriptId, spaceId: people.ana.personalSpaceId, text: 'Named badly.', language: 'en' });
    await pushApplied(client);
    const { response } = await createUpload(server, people.ana.token, {
      length: 100,
      metadata: { transcriptId, filetype: 'audio/ogg', filename: 'take\u00001.ogg' },
    });
    expect(response.status, response.body).toBe(400);
    expect(tusErrorCode(response)).toBe('invalid_body');
    expect(await queryDatabase(server.databaseUrl, 'SELECT id FROM uploads WHERE transcript_id = $1', [transcriptId])).toEqual([]);
  });
});

describe('a write Postgres refuses as data', () => {
  let server: TestServer;
  let people: Couple;
  let db: pg.Client;

  beforeAll(async () => {
    ({ server, accounts: people } = await startWithAccounts(couple));
    // Real data errors from Postgres on this test's own database: a check violation (class 23) and a
    // cast out of range (class 22), which the shared schemas cannot foresee.
    db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    await db.query(`ALTER TABLE entities ADD CONSTRAINT test_refused_body CHECK (data->>'body' IS DISTINCT FROM 'refused by a check')`);
    await db.query(`ALTER TABLE entities ADD CONSTRAINT test_duration_fits CHECK (coalesce((data->>'durationMs')::int, 0) >= 0)`);
  });
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  it('rejects only the refused mutations; the others of the batch, before and after, are applied', async () => {
    const client = clientOf(server, people.ana, 'refused');
    const conversationId = newId();
    const messageId = newId();
    const space = people.sharedSpaceId;
    client.mutate('conversation.create', { id: conversationId, spaceId: space, title: 'Plans' });
    client.mutate('message.add', { id: messageId, conversationId, body: 'first' });
    client.mutate('message.edit', { id: messageId, body: 'refused by a check' });
    client.mutate('message.edit', { id: messageId, body: 'second' });
    client.mutate('transcript.create', { id: newId(), spaceId: space, text: 'long', language: 'en', durationMs: 10_000_000_000 });
    const lastId = newId();
    client.mutate('message.add', { id: lastId, conversationId, body: 'after both' });

    const response = await client.push();

    expect(
      response.results.map((r) => r.status),
      JSON.stringify(response),
    ).toEqual(['applied', 'applied', 'rejected', 'applied', 'rejected', 'applied']);
    expect(response.results[2]?.error?.code).toBe('invalid_args');
    expect(response.results[4]?.error?.code).toBe('invalid_args');
    expect(response.lastMutationId).toBe(6);
    const state = await freshState(server, people.ben.token);
    expect(entityIn(state, 'message', messageId)?.body).toBe('second');
    expect(entityIn(state, 'message', lastId)?.body).toBe('after both');

    // The device is not wedged: its next push goes through as usual.
    client.mutate('message.edit', { id: lastId, body: 'later' });
    const next = await client.push();
    expect(next.results).toEqual([{ id: 7, status: 'applied' }]);
  });
});
