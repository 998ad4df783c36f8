// Push and pull (PROTOCOL.md "Push", "Mutations", "HLC", "Conflict rules", "Pull"), black-box.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_CLOCK_AHEAD_MS, hlcWall, newId, type PushResponse } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { expectError, pull, pullRequest, push, sleep, type Envelope } from './support/api.ts';
import { account, clientOf, couple } from './support/accounts.ts';
import { changesOf, entitiesOf, entityIn, freshState, hlcAt, keyOf, pullToEnd, snapshot, type ServerState } from './support/sync-client.ts';

const statuses = (r: PushResponse) => r.results.map((x) => (x.error ? `${x.status}:${x.error.code}` : x.status));

/** A hand-numbered mutation with an honest hlc (for tests of ids and gaps). */
function envelope(id: number, name: string, args: unknown, clientId: string, wall = Date.now()): Envelope {
  return { id, name, args, hlc: hlcAt(wall, clientId, id) };
}

describe('push and pull', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('every mutation is applied and pulled with its documented data', () => {
    it('conversation.create and conversation.update', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const client = clientOf(server, ana);
      const id = newId();
      const created = client.mutate('conversation.create', { id, spaceId: sharedSpaceId, title: 'Plans' });
      expect(statuses(await client.push())).toEqual(['applied']);
      const first = await freshState(server, ana.token);
      expect(entityIn(first, 'conversation', id)).toMatchObject({
        id,
        spaceId: sharedSpaceId,
        title: 'Plans',
        archived: false,
        createdBy: ana.userId,
        meta: { title: { hlc: created.hlc, by: ana.userId }, archived: { by: ana.userId } },
      });
      const firstVersion = first.get(keyOf('conversation', id))?.version ?? -1;

      client.mutate('conversation.update', { id, title: 'Plans for May' });
      client.mutate('conversation.update', { id, archived: true });
      expect(statuses(await client.push())).toEqual(['applied', 'applied']);
      for (const token of [ana.token, ben.token]) {
        const state = await freshState(server, token);
        expect(entityIn(state, 'conversation', id)).toMatchObject({ title: 'Plans for May', archived: true });
        expect(state.get(keyOf('conversation', id))?.version).toBeGreaterThan(firstVersion);
      }
    });

    it('message.add, message.edit and message.delete (a tombstone: deleted, empty body)', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const client = clientOf(server, ana);
      const conversationId = newId();
      const messageId = newId();
      client.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'Chat' });
      client.mutate('message.add', { id: messageId, conversationId, body: 'first words' });
      expect(statuses(await client.push())).toEqual(['applied', 'applied']);
      expect(entityIn(await freshState(server, ben.token), 'message', messageId)).toMatchObject({
        id: messageId,
        conversationId,
        spaceId: sharedSpaceId,
        authorId: ana.userId,
        body: 'first words',
        deleted: false,
        editedAt: null,
      });

      client.mutate('message.edit', { id: messageId, body: 'better words' });
      expect(statuses(await client.push())).toEqual(['applied']);
      const edited = entityIn(await freshState(server, ben.token), 'message', messageId);
      expect(edited).toMatchObject({ body: 'better words', deleted: false });
      expect(edited?.editedAt).toEqual(expect.any(Number));

      client.mutate('message.delete', { id: messageId });
      expect(statuses(await client.push())).toEqual(['applied']);
      for (const token of [ana.token, ben.token]) {
        const state = await freshState(server, token);
        const change = state.get(keyOf('message', messageId));
        expect(change?.deleted, 'the change is a tombstone').toBe(true);
        expect(entityIn(state, 'message', messageId)).toMatchObject({ deleted: true, body: '' });
      }
    });

    it('session.start, session.activity and session.end (personal; union of kinds, min start, max end)', async () => {
      const { ana, ben } = await couple(server);
      const client = clientOf(server, ana);
      const id = newId();
      const t = Date.now() - 60 * 60 * 1000;
      client.mutate('session.start', { id, startedAt: t });
      client.mutate('session.activity', { id, kind: 'chat', at: t + 1000 });
      client.mutate('session.activity', { id, kind: 'review', at: t + 2000 });
      client.mutate('session.activity', { id, kind: 'chat', at: t + 3000 });
      client.mutate('session.end', { id, endedAt: t + 10 * 60 * 1000 });
      // Another device's view of the same session: an earlier start and an earlier end.
      client.mutate('session.start', { id, startedAt: t - 5000 });
      client.mutate('session.end', { id, endedAt: t + 5 * 60 * 1000 });
      expect(statuses(await client.push())).toEqual(Array(7).fill('applied'));

      const session = entityIn(await freshState(server, ana.token), 'session', id);
      expect(session).toMatchObject({
        id,
        spaceId: ana.personalSpaceId,
        userId: ana.userId,
        startedAt: t - 5000,
        endedAt: t + 10 * 60 * 1000,
      });
      expect([...(session?.activities ?? [])].sort()).toEqual(['chat', 'review']);
      expect(session?.lastActivityAt).toBeGreaterThanOrEqual(t + 3000);
      expect(entityIn(await freshState(server, ben.token), 'session', id), 'sessions are personal').toBeUndefined();
    });

    it('transcript.create, transcript.update and transcript.submit', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const client = clientOf(server, ana);
      const conversationId = newId();
      const transcriptId = newId();
      const loose = newId();
      client.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'Talk' });
      client.mutate('transcript.create', {
        id: transcriptId,
        spaceId: sharedSpaceId,
        conversationId,
        text: 'hello there',
        language: 'en',
        durationMs: 4200,
      });
      client.mutate('transcript.create', { id: loose, spaceId: ana.personalSpaceId, text: 'nota', language: 'es-MX' });
      expect(statuses(await client.push())).toEqual(['applied', 'applied', 'applied']);
      const created = await freshState(server, ben.token);
      expect(entityIn(created, 'transcript', transcriptId)).toMatchObject({
        id: transcriptId,
        spaceId: sharedSpaceId,
        conversationId,
        createdBy: ana.userId,
        text: 'hello there',
        language: 'en',
        durationMs: 4200,
        status: 'draft',
        submissions: 0,
      });
      expect(entityIn(created, 'transcript', loose), 'a personal transcript stays personal').toBeUndefined();
      expect(entityIn(await freshState(server, ana.token), 'transcript', loose)).toMatchObject({
        conversationId: null,
        durationMs: null,
        language: 'es-MX',
        status: 'draft',
      });

      client.mutate('transcript.update', { id: transcriptId, text: 'hello there, partner' });
      client.mutate('transcript.submit', { id: transcriptId });
      expect(statuses(await client.push())).toEqual(['applied', 'applied']);
      const submitted = entityIn(await freshState(server, ben.token), 'transcript', transcriptId);
      expect(submitted?.text).toBe('hello there, partner');
      // A background job may already have moved it on; it is never a draft again.
      expect(['queued', 'processing', 'done', 'failed']).toContain(submitted?.status);
      expect(submitted?.submissions).toBeGreaterThanOrEqual(1);
    });

    it('reports lastMutationId in pull, per client and per user', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const clientId = `same-${newId()}`;
      const first = await pull(server, ana.token, { clientId, cursor: null });
      expect(first.lastMutationId, 'a client that never pushed').toBe(0);

      const conv = newId();
      await push(server, ana.token, clientId, [
        envelope(1, 'conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'One' }, clientId),
        envelope(2, 'conversation.update', { id: conv, title: 'Two' }, clientId),
        envelope(3, 'conversation.update', { id: conv, title: 'x'.repeat(201) }, clientId),
      ]);
      expect((await pull(server, ana.token, { clientId, cursor: null })).lastMutationId).toBe(3);
      expect((await pull(server, ana.token, { clientId: `${clientId}-other`, cursor: null })).lastMutationId).toBe(0);

      // The same clientId string under another user is another client.
      expect((await pull(server, ben.token, { clientId, cursor: null })).lastMutationId).toBe(0);
      const benPush = await push(server, ben.token, clientId, [envelope(1, 'conversation.update', { id: conv, title: 'Ben' }, clientId)]);
      expect(statuses(benPush)).toEqual(['applied']);
    });

    it('answers serverTime as the server clock in ms', async () => {
      const { ana } = await couple(server);
      const before = Date.now();
      const page = await pull(server, ana.token, { clientId: newId(), cursor: null });
      const after = Date.now();
      expect(page.serverTime).toBeGreaterThanOrEqual(before - 1000);
      expect(page.serverTime).toBeLessThanOrEqual(after + 1000);
    });
  });

  describe('mutation ids', () => {
    it('reports ids at or below lastMutationId as "duplicate" and applies the rest', async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const c = `dup-${newId()}`;
      const conv = newId();
      const m1 = envelope(1, 'conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'A' }, c);
      const m2 = envelope(2, 'message.add', { id: newId(), conversationId: conv, body: 'one' }, c);
      const m3 = envelope(3, 'message.add', { id: newId(), conversationId: conv, body: 'two' }, c);
      expect(await push(server, ana.token, c, [m1, m2])).toEqual({
        lastMutationId: 2,
        results: [
          { id: 1, status: 'applied' },
          { id: 2, status: 'applied' },
        ],
      });
      const again = await push(server, ana.token, c, [m1, m2, m3]);
      expect(again.lastMutationId).toBe(3);
      expect(again.results).toEqual([
        { id: 1, status: 'duplicate' },
        { id: 2, status: 'duplicate' },
        { id: 3, status: 'applied' },
      ]);
      const messages = entitiesOf(await freshState(server, ana.token), 'message');
      expect(messages.map((m) => m.body).sort()).toEqual(['one', 'two']);
    });

    it('stops the batch at a gap: that mutation and the rest are "out_of_order" and not applied', async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const c = `gap-${newId()}`;
      const conv = newId();
      const [late1, late2] = [newId(), newId()];
      await push(server, ana.token, c, [envelope(1, 'conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Gap' }, c)]);

      const gapped = await push(server, ana.token, c, [
        envelope(3, 'message.add', { id: late1, conversationId: conv, body: 'three' }, c),
        envelope(4, 'message.add', { id: late2, conversationId: conv, body: 'four' }, c),
      ]);
      expect(gapped).toEqual({
        lastMutationId: 1,
        results: [
          { id: 3, status: 'out_of_order' },
          { id: 4, status: 'out_of_order' },
        ],
      });

      const partly = await push(server, ana.token, c, [
        envelope(2, 'message.add', { id: newId(), conversationId: conv, body: 'two' }, c),
        envelope(4, 'message.add', { id: late1, conversationId: conv, body: 'four' }, c),
        envelope(5, 'message.add', { id: late2, conversationId: conv, body: 'five' }, c),
      ]);
      expect(partly).toEqual({
        lastMutationId: 2,
        results: [
          { id: 2, status: 'applied' },
          { id: 4, status: 'out_of_order' },
          { id: 5, status: 'out_of_order' },
        ],
      });
      const state = await freshState(server, ana.token);
      expect(entityIn(state, 'message', late1)).toBeUndefined();
      expect(entityIn(state, 'message', late2)).toBeUndefined();
      expect((await pull(server, ana.token, { clientId: c, cursor: null })).lastMutationId).toBe(2);
    });

    it('treats a first push that does not start at 1 as out of order', async () => {
      const { ana } = await couple(server);
      const c = `late-${newId()}`;
      const res = await push(server, ana.token, c, [envelope(2, 'session.start', { id: newId(), startedAt: Date.now() }, c)]);
      expect(res).toEqual({ lastMutationId: 0, results: [{ id: 2, status: 'out_of_order' }] });
    });
  });

  describe('rejected mutations', () => {
    it('reject invalid args and unknown names without stopping the batch, and move lastMutationId', async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const c = `rej-${newId()}`;
      const conv = newId();
      const [ok1, tooLong, ok2, longTranscript, okTranscript] = [newId(), newId(), newId(), newId(), newId()];
      const badTitleConv = newId();
      const res = await push(server, ana.token, c, [
        envelope(1, 'conversation.create', { id: conv, spaceId: sharedSpaceId, title: 't'.repeat(200) }, c),
        envelope(2, 'conversation.create', { id: badTitleConv, spaceId: sharedSpaceId, title: 't'.repeat(201) }, c),
        envelope(3, 'message.add', { id: ok1, conversationId: conv, body: 'b'.repeat(20_000) }, c),
        envelope(4, 'message.add', { id: tooLong, conversationId: conv, body: 'b'.repeat(20_001) }, c),
        envelope(5, 'conversation.delete', { id: conv }, c),
        envelope(6, 'message.add', { id: ok2, conversationId: conv, body: 'after the rejections' }, c),
        envelope(7, 'transcript.create', { id: longTranscript, spaceId: sharedSpaceId, text: 'x'.repeat(20_001), language: 'en' }, c),
        envelope(8, 'transcript.create', { id: okTranscript, spaceId: sharedSpaceId, text: 'x'.repeat(20_000), language: 'en' }, c),
        envelope(9, 'conversation.update', { id: conv, title: 'u'.repeat(201) }, c),
        envelope(10, 'message.edit', { id: ok1, body: 'e'.repeat(20_001) }, c),
        envelope(11, 'transcript.update', { id: okTranscript, text: 'y'.repeat(20_001) }, c),
        { id: 12, name: 'message.add', args: { id: newId(), conversationId: conv, body: 'bad hlc' }, hlc: 'yesterday' },
        envelope(13, 'message.add', 'not an object', c),
        envelope(14, 'message.add', { id: 'has spaces in it', conversationId: conv, body: 'bad id' }, c),
        envelope(15, 'message.add', { id: 'x'.repeat(65), conversationId: conv, body: 'id too long' }, c),
        envelope(16, 'session.activity', { id: newId(), kind: 'dancing', at: Date.now() }, c),
      ]);
      expect(statuses(res)).toEqual([
        'applied',
        'rejected:invalid_args',
        'applied',
        'rejected:invalid_args',
        'rejected:unknown_mutation',
        'applied',
        'rejected:invalid_args',
        'applied',
        'rejected:invalid_args',
        'rejected:invalid_args',
        'rejected:invalid_args',
        'rejected:invalid_args',
        'rejected:invalid_args',
        'rejected:invalid_args',
        'rejected:invalid_args',
        'rejected:invalid_args',
      ]);
      expect(res.lastMutationId).toBe(16);
      for (const r of res.results) if (r.status === 'rejected') expect(r.error?.message.length).toBeGreaterThan(0);

      const state = await freshState(server, ana.token);
      expect(entityIn(state, 'conversation', conv)?.title).toBe('t'.repeat(200));
      expect(entityIn(state, 'conversation', badTitleConv)).toBeUndefined();
      expect(entityIn(state, 'message', ok1)?.body).toBe('b'.repeat(20_000));
      expect(entityIn(state, 'message', tooLong)).toBeUndefined();
      expect(entityIn(state, 'message', ok2)?.body).toBe('after the rejections');
      expect(entityIn(state, 'transcript', longTranscript)).toBeUndefined();
      expect(entityIn(state, 'transcript', okTranscript)?.text).toBe('x'.repeat(20_000));
      expect(entitiesOf(state, 'message')).toHaveLength(2);

      const next = await push(server, ana.token, c, [
        envelope(4, 'message.add', { id: tooLong, conversationId: conv, body: 'short now' }, c),
        envelope(17, 'message.add', { id: newId(), conversationId: conv, body: 'seventeen' }, c),
      ]);
      expect(next).toEqual({
        lastMutationId: 17,
        results: [
          { id: 4, status: 'duplicate' },
          { id: 17, status: 'applied' },
        ],
      });
      expect(entityIn(await freshState(server, ana.token), 'message', tooLong), 'a rejected id resent is a duplicate').toBeUndefined();
    });

    it('reject, as forbidden, writes to foreign spaces and their entities (as for ids that do not exist), leaking nothing of them', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const carl = await account(server, 'Carl');
      const carlClient = clientOf(server, carl);
      const carlConv = newId();
      const carlMessage = newId();
      const carlTranscript = newId();
      const carlSession = newId();
      const carlSecrets = ['Carl private title', 'carl private body', 'carl private transcript'];
      carlClient.mutate('conversation.create', { id: carlConv, spaceId: carl.personalSpaceId, title: carlSecrets[0] });
      carlClient.mutate('message.add', { id: carlMessage, conversationId: carlConv, body: carlSecrets[1] });
      carlClient.mutate('transcript.create', { id: carlTranscript, spaceId: carl.personalSpaceId, text: carlSecrets[2], language: 'en' });
      carlClient.mutate('session.start', { id: carlSession, startedAt: Date.now() - 10_000 });
      expect(statuses(await carlClient.push())).toEqual(['applied', 'applied', 'applied', 'applied']);
      const carlBefore = snapshot(await freshState(server, carl.token));

      const c = `intruder-${newId()}`;
      const res = await push(server, ana.token, c, [
        envelope(1, 'conversation.create', { id: newId(), spaceId: carl.personalSpaceId, title: 'into Carl space' }, c),
        envelope(2, 'conversation.create', { id: newId(), spaceId: ben.personalSpaceId, title: 'into partner personal space' }, c),
        envelope(3, 'conversation.create', { id: carlConv, spaceId: sharedSpaceId, title: 'take over by id' }, c),
        envelope(4, 'conversation.update', { id: carlConv, title: 'renamed', archived: true }, c),
        envelope(5, 'message.add', { id: newId(), conversationId: carlConv, body: 'hello Carl' }, c),
        envelope(6, 'message.add', { id: carlMessage, conversationId: carlConv, body: 'overwrite by id' }, c),
        envelope(7, 'message.edit', { id: carlMessage, body: 'edited' }, c),
        envelope(8, 'message.delete', { id: carlMessage }, c),
        envelope(9, 'transcript.create', { id: newId(), spaceId: carl.personalSpaceId, text: 'x', language: 'en' }, c),
        envelope(10, 'transcript.create', { id: carlTranscript, spaceId: sharedSpaceId, text: 'overwrite', language: 'en' }, c),
        envelope(11, 'transcript.update', { id: carlTranscript, text: 'changed' }, c),
        envelope(12, 'transcript.submit', { id: carlTranscript }, c),
        envelope(13, 'session.activity', { id: carlSession, kind: 'chat', at: Date.now() }, c),
        envelope(14, 'session.end', { id: carlSession, endedAt: Date.now() }, c),
        envelope(15, 'session.start', { id: carlSession, startedAt: 1 }, c),
        envelope(16, 'session.start', { id: newId(), startedAt: Date.now() }, c),
      ]);
      expect(statuses(res)).toEqual([...Array(15).fill('rejected:forbidden'), 'applied']);
      expect(res.lastMutationId).toBe(16);

      // The same writes naming ids that exist nowhere get exactly the same answers (code and message).
      const unknown = () => newId();
      const control = `control-${newId()}`;
      const controlRes = await push(server, ana.token, control, [
        envelope(1, 'conversation.update', { id: unknown(), title: 'renamed', archived: true }, control),
        envelope(2, 'message.add', { id: newId(), conversationId: unknown(), body: 'hello Carl' }, control),
        envelope(3, 'message.edit', { id: unknown(), body: 'edited' }, control),
        envelope(4, 'message.delete', { id: unknown() }, control),
        envelope(5, 'transcript.update', { id: unknown(), text: 'changed' }, control),
        envelope(6, 'transcript.submit', { id: unknown() }, control),
      ]);
      const errorsOf = (r: PushResponse, ids: number[]) => ids.map((id) => r.results.find((x) => x.id === id)?.error);
      expect(errorsOf(res, [4, 5, 7, 8, 11, 12])).toEqual(errorsOf(controlRes, [1, 2, 3, 4, 5, 6]));
      const answer = JSON.stringify(res);
      for (const secret of [...carlSecrets, carl.userId, carl.personalSpaceId, 'Carl']) {
        expect(answer.includes(secret), `the push answer leaks ${secret}`).toBe(false);
      }
      for (const r of res.results) expect(Object.keys(r).sort()).toEqual(r.error ? ['error', 'id', 'status'] : ['id', 'status']);

      expect(snapshot(await freshState(server, carl.token)), "Carl's data is untouched").toEqual(carlBefore);
      const anaSees = JSON.stringify(snapshot(await freshState(server, ana.token)));
      for (const secret of [...carlSecrets, carl.personalSpaceId, carlConv, carlMessage, carlTranscript, carlSession]) {
        expect(anaSees.includes(secret), `Ana's pull contains ${secret}`).toBe(false);
      }
    });

    it("reject, as forbidden, editing or deleting the partner's message", async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const anaClient = clientOf(server, ana);
      const conv = newId();
      const msg = newId();
      anaClient.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Ours' });
      anaClient.mutate('message.add', { id: msg, conversationId: conv, body: 'written by Ana' });
      await anaClient.push();

      const benClient = clientOf(server, ben);
      benClient.mutate('message.edit', { id: msg, body: 'Ben rewrites it' });
      benClient.mutate('message.delete', { id: msg });
      benClient.mutate('message.add', { id: msg, conversationId: conv, body: 'Ben re-adds it' });
      benClient.mutate('message.add', { id: newId(), conversationId: conv, body: 'Ben replies' });
      const res = await benClient.push();
      expect(statuses(res)).toEqual(['rejected:forbidden', 'rejected:forbidden', 'rejected:forbidden', 'applied']);
      expect(entityIn(await freshState(server, ana.token), 'message', msg)).toMatchObject({
        body: 'written by Ana',
        deleted: false,
        authorId: ana.userId,
      });
    });
  });

  describe('creating an existing id', () => {
    it('is an update, not an error', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const client = clientOf(server, ana);
      const conv = newId();
      const msg = newId();
      const tr = newId();
      client.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'First' });
      client.mutate('message.add', { id: msg, conversationId: conv, body: 'first body' });
      client.mutate('transcript.create', { id: tr, spaceId: sharedSpaceId, text: 'first text', language: 'en' });
      client.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Second' });
      client.mutate('message.add', { id: msg, conversationId: conv, body: 'second body' });
      client.mutate('transcript.create', { id: tr, spaceId: sharedSpaceId, text: 'second text', language: 'en' });
      expect(statuses(await client.push())).toEqual(Array(6).fill('applied'));
      const state = await freshState(server, ben.token);
      expect(entitiesOf(state, 'conversation').map((x) => [x.id, x.title])).toEqual([[conv, 'Second']]);
      expect(entitiesOf(state, 'message').map((x) => [x.id, x.body])).toEqual([[msg, 'second body']]);
      expect(entitiesOf(state, 'transcript').map((x) => [x.id, x.text])).toEqual([[tr, 'second text']]);
    });
  });

  describe('conflicts', () => {
    async function offlineTitleEdits(order: 'ana-first' | 'ben-first') {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const anaPhone = clientOf(server, ana, 'ana-phone');
      const anaLaptop = clientOf(server, ana, 'ana-laptop');
      const benPhone = clientOf(server, ben, 'ben-phone');
      const conv = newId();
      anaPhone.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Original' });
      await anaPhone.push();
      await Promise.all([anaPhone.pull(), anaLaptop.pull(), benPhone.pull()]);
      await sleep(5);

      // Both edit while offline, after seeing the original: Ana at t1, Ben later at t2.
      const t1 = hlcAt(Date.now(), anaPhone.clientId);
      await sleep(5);
      const t2 = hlcAt(Date.now(), benPhone.clientId);
      await sleep(5);
      anaPhone.mutate('conversation.update', { id: conv, title: 'Ana title' }, t1);
      benPhone.mutate('conversation.update', { id: conv, title: 'Ben title' }, t2);
      const pushers = order === 'ana-first' ? [anaPhone, benPhone] : [benPhone, anaPhone];
      for (const p of pushers) expect(statuses(await p.push())).toEqual(['applied']);
      await Promise.all([anaPhone.pull(), anaLaptop.pull(), benPhone.pull()]);

      for (const client of [anaPhone, anaLaptop, benPhone]) {
        expect(entityIn(client.state, 'conversation', conv)?.title, `${client.clientId} converges to the winner`).toBe('Ben title');
        expect(snapshot(client.state)).toEqual(snapshot(await freshState(server, client.token)));
      }
      const anaConflicts = entitiesOf(anaPhone.state, 'conflict').filter((x) => x.entityId === conv);
      expect(anaConflicts).toHaveLength(1);
      expect(anaConflicts[0]).toMatchObject({
        entityKind: 'conversation',
        entityId: conv,
        field: 'title',
        yourValue: 'Ana title',
        winningValue: 'Ben title',
        yourHlc: t1,
        winningHlc: t2,
        winningBy: ben.userId,
      });
      expect(
        entitiesOf(anaLaptop.state, 'conflict').filter((x) => x.entityId === conv),
        "on every one of Ana's devices",
      ).toHaveLength(1);
      expect(entitiesOf(benPhone.state, 'conflict'), 'the winner gets no conflict').toEqual([]);
    }

    it('resolving a conflict on one device resolves it on every device of its loser, and only its loser may', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const anaPhone = clientOf(server, ana, 'ana-phone');
      const anaLaptop = clientOf(server, ana, 'ana-laptop');
      const benPhone = clientOf(server, ben, 'ben-phone');
      const conv = newId();
      anaPhone.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Original' });
      await anaPhone.push();
      await Promise.all([anaPhone.pull(), benPhone.pull()]);
      const t1 = hlcAt(Date.now(), anaPhone.clientId);
      await sleep(5);
      anaPhone.mutate('conversation.update', { id: conv, title: 'Ana title' }, t1);
      benPhone.mutate('conversation.update', { id: conv, title: 'Ben title' }, hlcAt(Date.now(), benPhone.clientId));
      await anaPhone.push();
      await benPhone.push();
      await Promise.all([anaPhone.pull(), anaLaptop.pull()]);
      const [conflict] = entitiesOf(anaPhone.state, 'conflict').filter((x) => x.entityId === conv);
      expect(conflict).toMatchObject({ field: 'title', yourValue: 'Ana title' });
      expect(conflict?.resolution).toBeUndefined();
      const conflictId = String(conflict?.id);

      // Ben cannot touch Ana's conflict: the answer for anything outside his spaces.
      benPhone.mutate('conflict.resolve', { id: conflictId, resolution: 'dismissed' });
      expect(statuses(await benPhone.push())).toEqual(['rejected:forbidden']);

      anaPhone.mutate('conflict.resolve', { id: conflictId, resolution: 'dismissed' });
      expect(statuses(await anaPhone.push())).toEqual(['applied']);
      await anaLaptop.pull();
      expect(entitiesOf(anaLaptop.state, 'conflict').find((x) => x.id === conflictId)).toMatchObject({ resolution: 'dismissed' });
      // A laptop signing in afresh gets it resolved too.
      const fresh = await freshState(server, ana.token);
      expect(entitiesOf(fresh, 'conflict').find((x) => x.id === conflictId)).toMatchObject({ resolution: 'dismissed' });
    });

    it('last writer wins by hlc when Ana pushes first, and Ana is told', () => offlineTitleEdits('ana-first'));
    it('last writer wins by hlc when Ben pushes first, and Ana is told', () => offlineTitleEdits('ben-first'));

    it('breaks an equal hlc time by the larger clientId, in either push order', async () => {
      for (const order of [0, 1]) {
        const { ana, ben, sharedSpaceId } = await couple(server);
        const small = clientOf(server, ana, 'aaa');
        const large = clientOf(server, ben, 'zzz');
        const conv = newId();
        const wall = Date.now() - 50_000;
        small.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Start' }, hlcAt(wall - 1000, small.clientId));
        await small.push();
        small.mutate('conversation.update', { id: conv, title: 'small wins?' }, hlcAt(wall, small.clientId, 7));
        large.mutate('conversation.update', { id: conv, title: 'large wins' }, hlcAt(wall, large.clientId, 7));
        for (const c of order === 0 ? [small, large] : [large, small]) expect(statuses(await c.push())).toEqual(['applied']);
        for (const token of [ana.token, ben.token]) {
          expect(entityIn(await freshState(server, token), 'conversation', conv)?.title).toBe('large wins');
        }
      }
    });

    it('lets last writer win per field: title and archived merge independently', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const a = clientOf(server, ana);
      const b = clientOf(server, ben);
      const conv = newId();
      const now = Date.now();
      a.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Base' }, hlcAt(now - 100_000, a.clientId));
      await a.push();
      b.mutate('conversation.update', { id: conv, archived: true }, hlcAt(now - 50_000, b.clientId));
      a.mutate('conversation.update', { id: conv, title: 'Newer title' }, hlcAt(now - 40_000, a.clientId));
      await b.push();
      await a.push();
      expect(entityIn(await freshState(server, ben.token), 'conversation', conv)).toMatchObject({ title: 'Newer title', archived: true });
    });

    it('lets a message delete win over an edit, earlier or later, in either push order', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const phone = clientOf(server, ana, 'phone');
      const laptop = clientOf(server, ana, 'laptop');
      const conv = newId();
      const [m1, m2] = [newId(), newId()];
      const now = Date.now();
      phone.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Deletes' }, hlcAt(now - 100_000, phone.clientId));
      phone.mutate('message.add', { id: m1, conversationId: conv, body: 'm1' }, hlcAt(now - 99_000, phone.clientId));
      phone.mutate('message.add', { id: m2, conversationId: conv, body: 'm2' }, hlcAt(now - 98_000, phone.clientId));
      await phone.push();

      // m1: deleted first (earlier hlc), then a later edit arrives.
      phone.mutate('message.delete', { id: m1 }, hlcAt(now - 50_000, phone.clientId));
      laptop.mutate('message.edit', { id: m1, body: 'edited after the delete' }, hlcAt(now - 40_000, laptop.clientId));
      // m2: a later edit arrives first, then an earlier delete.
      laptop.mutate('message.edit', { id: m2, body: 'edited before the delete arrives' }, hlcAt(now - 30_000, laptop.clientId));
      phone.mutate('message.delete', { id: m2 }, hlcAt(now - 35_000, phone.clientId));
      expect(statuses(await phone.push(phone.outbox.slice(0, 1)))).toEqual(['applied']);
      expect(statuses(await laptop.push())).toEqual(['applied', 'applied']);
      expect(statuses(await phone.push())).toEqual(['applied']);

      for (const token of [ana.token, ben.token]) {
        const state = await freshState(server, token);
        for (const id of [m1, m2]) {
          expect(state.get(keyOf('message', id))?.deleted, `${id} stays deleted`).toBe(true);
          expect(entityIn(state, 'message', id)).toMatchObject({ deleted: true, body: '' });
        }
      }
    });

    it("tells a user when their write lost to their own other device's (message body and transcript text)", async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const phone = clientOf(server, ana, 'phone');
      const laptop = clientOf(server, ana, 'laptop');
      const conv = newId();
      const msg = newId();
      const tr = newId();
      phone.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Mine' });
      phone.mutate('message.add', { id: msg, conversationId: conv, body: 'draft' });
      phone.mutate('transcript.create', { id: tr, spaceId: sharedSpaceId, text: 'draft', language: 'en' });
      await phone.push();
      await Promise.all([phone.pull(), laptop.pull()]);
      await sleep(5);
      const early = hlcAt(Date.now(), phone.clientId);
      await sleep(5);
      const late = hlcAt(Date.now(), laptop.clientId);
      await sleep(5);
      phone.mutate('message.edit', { id: msg, body: 'phone body' }, early);
      phone.mutate('transcript.update', { id: tr, text: 'phone text' }, early);
      laptop.mutate('message.edit', { id: msg, body: 'laptop body' }, late);
      laptop.mutate('transcript.update', { id: tr, text: 'laptop text' }, late);
      await laptop.push();
      await phone.push();
      await Promise.all([phone.pull(), laptop.pull()]);
      expect(entityIn(phone.state, 'message', msg)?.body).toBe('laptop body');
      expect(entityIn(phone.state, 'transcript', tr)?.text).toBe('laptop text');
      const conflicts = entitiesOf(phone.state, 'conflict');
      expect(conflicts.find((x) => x.entityId === msg)).toMatchObject({
        entityKind: 'message',
        field: 'body',
        yourValue: 'phone body',
        winningValue: 'laptop body',
        winningBy: ana.userId,
      });
      expect(conflicts.find((x) => x.entityId === tr)).toMatchObject({
        entityKind: 'transcript',
        field: 'text',
        yourValue: 'phone text',
        winningValue: 'laptop text',
      });
    });

    it('tells the user when an offline edit lost to a delete from another device', async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const phone = clientOf(server, ana, 'phone');
      const laptop = clientOf(server, ana, 'laptop');
      const conv = newId();
      const msg = newId();
      phone.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Mine' });
      phone.mutate('message.add', { id: msg, conversationId: conv, body: 'original' });
      await phone.push();
      await Promise.all([phone.pull(), laptop.pull()]);
      phone.mutate('message.delete', { id: msg });
      laptop.mutate('message.edit', { id: msg, body: 'edited offline on the laptop' });
      await phone.push();
      await laptop.push();
      await laptop.pull();
      expect(entityIn(laptop.state, 'message', msg)).toMatchObject({ deleted: true, body: '' });
      const lost = entitiesOf(laptop.state, 'conflict').filter((x) => x.entityId === msg);
      expect(lost, 'a conflict tells the user their edit was lost to the delete').toHaveLength(1);
      expect(lost[0]).toMatchObject({ entityKind: 'message', yourValue: 'edited offline on the laptop' });
    });

    it('clamps an hlc far in the future, so a later honest write still wins', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const broken = clientOf(server, ana, 'broken-clock');
      const honest = clientOf(server, ben, 'honest');
      const conv = newId();
      const yearAhead = Date.now() + 365 * 24 * 60 * 60 * 1000;
      broken.mutate(
        'conversation.create',
        { id: conv, spaceId: sharedSpaceId, title: 'From the future' },
        hlcAt(yearAhead, broken.clientId),
      );
      expect(statuses(await broken.push())).toEqual(['applied']);
      const stored = entityIn(await freshState(server, ana.token), 'conversation', conv);
      expect(stored?.title).toBe('From the future');
      expect(hlcWall(stored?.meta.title.hlc ?? '0'), 'the stored hlc is clamped to the server clock').toBeLessThanOrEqual(
        Date.now() + MAX_CLOCK_AHEAD_MS,
      );

      await sleep(20);
      honest.mutate('conversation.update', { id: conv, title: 'Honest now' }, hlcAt(Date.now(), honest.clientId));
      expect(statuses(await honest.push())).toEqual(['applied']);
      for (const token of [ana.token, ben.token]) {
        expect(entityIn(await freshState(server, token), 'conversation', conv)?.title).toBe('Honest now');
      }
    });

    it('does not clamp an hlc less than 60 s ahead', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const fast = clientOf(server, ana, 'fast');
      const honest = clientOf(server, ben, 'honest');
      const conv = newId();
      const ahead = Date.now() + 30_000;
      fast.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Slightly ahead' }, hlcAt(ahead, fast.clientId));
      await fast.push();
      honest.mutate('conversation.update', { id: conv, title: 'Honest now' }, hlcAt(Date.now(), honest.clientId));
      expect(statuses(await honest.push())).toEqual(['applied']);
      const stored = entityIn(await freshState(server, ben.token), 'conversation', conv);
      expect(stored?.title).toBe('Slightly ahead');
      expect(stored?.meta.title.hlc).toBe(hlcAt(ahead, fast.clientId));
    });
  });

  describe('pull', () => {
    it('pages by cursor with small limits and ends with the same state as one full pull', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const client = clientOf(server, ana);
      const conv = newId();
      client.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Paging' });
      for (let i = 0; i < 23; i++) client.mutate('message.add', { id: newId(), conversationId: conv, body: `m${i}` });
      for (let i = 0; i < 5; i++) client.mutate('session.start', { id: newId(), startedAt: Date.now() - i * 1000 });
      await client.push();

      for (const limit of [1, 4, 7]) {
        const state: ServerState = new Map();
        const { pages } = await pullToEnd(server, ana.token, newId(), null, state, limit);
        for (const page of pages.slice(0, -1)) {
          expect(page.hasMore).toBe(true);
          expect(page.changes.length).toBeLessThanOrEqual(limit);
        }
        const keys = changesOf(pages).map((ch) => `${ch.kind}:${ch.id}:${ch.version}`);
        expect(new Set(keys).size, 'no change delivered twice').toBe(keys.length);
        expect(snapshot(state)).toEqual(snapshot(await freshState(server, ana.token)));
        expect(entitiesOf(state, 'message')).toHaveLength(23);
        expect(entitiesOf(state, 'session')).toHaveLength(5);
      }

      // A cursor at the end gives nothing new, then exactly the next change.
      const cursorState: ServerState = new Map();
      const caughtUp = await pullToEnd(server, ben.token, newId(), null, cursorState, 5);
      const quiet = await pull(server, ben.token, { clientId: newId(), cursor: caughtUp.cursor });
      expect(quiet.changes).toEqual([]);
      expect(quiet.hasMore).toBe(false);
      expect(quiet.reset ?? false).toBe(false);
      const msg = newId();
      client.mutate('message.add', { id: msg, conversationId: conv, body: 'one more' });
      await client.push();
      const next = await pull(server, ben.token, { clientId: newId(), cursor: quiet.cursor });
      expect(next.changes.map((ch) => `${ch.kind}:${ch.id}`)).toEqual([`message:${msg}`]);
      expect(next.reset ?? false).toBe(false);
    });

    it('pages 500 changes by default', async () => {
      const { ana } = await couple(server);
      const client = clientOf(server, ana);
      for (let i = 0; i < 520; i++) client.mutate('session.start', { id: newId(), startedAt: 1_700_000_000_000 + i });
      await client.push(client.outbox.slice(0, 300));
      await client.push();
      const first = await pull(server, ana.token, { clientId: newId(), cursor: null });
      expect(first.changes).toHaveLength(500);
      expect(first.hasMore).toBe(true);
      const second = await pull(server, ana.token, { clientId: newId(), cursor: first.cursor });
      expect(second.hasMore).toBe(false);
      expect(first.changes.length + second.changes.length).toBeGreaterThanOrEqual(521);
    });

    it('answers a cursor it cannot use with 200, reset: true and everything', async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const client = clientOf(server, ana);
      const conv = newId();
      client.mutate('conversation.create', { id: conv, spaceId: sharedSpaceId, title: 'Reset' });
      client.mutate('message.add', { id: newId(), conversationId: conv, body: 'hi' });
      await client.push();
      const full = snapshot(await freshState(server, ana.token));

      const garbage = Buffer.from('{"not":"a cursor"}').toString('base64url');
      for (const cursor of ['garbage!', garbage, 'eyJ1IjoxfQ', '']) {
        const state: ServerState = new Map([['message:stale', { kind: 'message', id: 'stale', version: 1, deleted: false, data: {} }]]);
        const { pages } = await pullToEnd(server, ana.token, newId(), cursor, state);
        expect(pages[0]?.reset, `cursor ${JSON.stringify(cursor)} resets`).toBe(true);
        expect(snapshot(state)).toEqual(full);
      }
    });

    it("treats another user's cursor as unusable: reset, and only the caller's own data", async () => {
      const { ana, sharedSpaceId } = await couple(server);
      const carl = await account(server, 'Carl');
      const anaClient = clientOf(server, ana);
      anaClient.mutate('conversation.create', { id: newId(), spaceId: ana.personalSpaceId, title: 'Ana only' });
      anaClient.mutate('conversation.create', { id: newId(), spaceId: sharedSpaceId, title: 'Shared' });
      await anaClient.push();
      const anaCursor = (await pullToEnd(server, ana.token, newId(), null, new Map())).cursor;
      // Carl holds nothing of Ana's, so a correct answer for him starts from scratch.
      const state: ServerState = new Map();
      const { pages } = await pullToEnd(server, carl.token, newId(), anaCursor, state);
      expect(pages[0]?.reset).toBe(true);
      expect(snapshot(state)).toEqual(snapshot(await freshState(server, carl.token)));
      expect(JSON.stringify(snapshot(state)).includes('Ana only')).toBe(false);
    });

    it('accepts limits 1 and 1000, and answers 400 invalid_body outside 1..1000', async () => {
      const { ana } = await couple(server);
      expect((await pull(server, ana.token, { clientId: newId(), cursor: null, limit: 1 })).changes.length).toBeLessThanOrEqual(1);
      await pull(server, ana.token, { clientId: newId(), cursor: null, limit: 1000 });
      for (const limit of [0, -1, 1001, 2.5, '10']) {
        const res = await pullRequest(server, ana.token, { clientId: newId(), cursor: null, limit });
        expectError(res, 400, 'invalid_body');
      }
    });

    it('answers 400 invalid_body for a pull without a clientId', async () => {
      const { ana } = await couple(server);
      expectError(await pullRequest(server, ana.token, { cursor: null }), 400, 'invalid_body');
    });
  });
});
