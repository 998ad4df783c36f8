// Bad input never yields a 500 (PROTOCOL.md "Errors", push limits), and unknown routes are JSON 404s.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, MAX_PUSH_MUTATIONS, newId } from '@duet/shared';
import { signup, type TestServer } from './harness.ts';
import { startWithAccounts } from './support/accounts.ts';
import { bearer, describeResponse, expectClientError, expectError, push, pushRequest, type Envelope } from './support/api.ts';
import { entitiesOf, freshState, hlcAt } from './support/sync-client.ts';

function rawPost(server: TestServer, path: string, token: string | null, body: string | Buffer, contentType = 'application/json') {
  let call = request(server.url).post(path).set('Content-Type', contentType);
  if (token) call = call.set('Authorization', bearer(token));
  return call.send(body);
}

describe('errors', () => {
  let server: TestServer;
  let token: string;
  let personalSpace: string;

  beforeAll(async () => {
    ({ server, accounts: token } = await startWithAccounts(async (started) => (await signup(started)).token));
    const me = await request(server.url).get('/api/me').set('Authorization', bearer(token));
    personalSpace = (me.body as { spaces: Array<{ id: string; kind: string }> }).spaces.find((s) => s.kind === 'personal')?.id ?? '';
    expect(personalSpace).not.toBe('');
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('malformed JSON: 400 invalid_body', () => {
    const bodies = ['{"clientId":', '{clientId: "c"}', "{'a': 1}", '[1,2', 'nul', '{"a":1}}'];
    for (const path of ['/api/sync/push', '/api/sync/pull', '/api/invites/accept']) {
      it.each(bodies)(`on ${path}: %s`, async (body) => {
        expectError(await rawPost(server, path, token, body), 400, 'invalid_body');
      });
    }
    it.each(['/api/auth/signup', '/api/auth/login'])('on %s (no token needed)', async (path) => {
      expectError(await rawPost(server, path, null, '{"email": "a@b.c", "password": '), 400, 'invalid_body');
    });
    it('with bytes that are not UTF-8', async () => {
      expectError(await rawPost(server, '/api/sync/push', token, Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), 400, 'invalid_body');
    });
  });

  describe('wrong shapes and types: 400 invalid_body', () => {
    const hlc = hlcAt(Date.now(), 'c1');
    const cases: Array<[string, unknown]> = [
      ['an empty object', {}],
      ['missing clientId', { mutations: [] }],
      ['missing mutations', { clientId: 'c1' }],
      ['clientId a number', { clientId: 5, mutations: [] }],
      ['clientId empty', { clientId: '', mutations: [] }],
      ['clientId with spaces', { clientId: 'has spaces', mutations: [] }],
      ['clientId of 65 characters', { clientId: 'c'.repeat(65), mutations: [] }],
      ['mutations a string', { clientId: 'c1', mutations: 'all of them' }],
      ['mutations an object', { clientId: 'c1', mutations: { 0: {} } }],
      ['a mutation id a string', { clientId: 'c1', mutations: [{ id: 'one', name: 'message.add', args: {}, hlc }] }],
      ['a mutation id 0', { clientId: 'c1', mutations: [{ id: 0, name: 'message.add', args: {}, hlc }] }],
      ['a mutation id fractional', { clientId: 'c1', mutations: [{ id: 1.5, name: 'message.add', args: {}, hlc }] }],
      ['a mutation id negative', { clientId: 'c1', mutations: [{ id: -1, name: 'message.add', args: {}, hlc }] }],
      ['a mutation id beyond 2^53', { clientId: 'c1', mutations: [{ id: 2 ** 60, name: 'message.add', args: {}, hlc }] }],
      ['a mutation without a name', { clientId: 'c1', mutations: [{ id: 1, args: {}, hlc }] }],
      ['a mutation name a number', { clientId: 'c1', mutations: [{ id: 1, name: 7, args: {}, hlc }] }],
      ['a mutation hlc a number', { clientId: 'c1', mutations: [{ id: 1, name: 'message.add', args: {}, hlc: 17 }] }],
      ['a mutation that is null', { clientId: 'c1', mutations: [null] }],
      ['a JSON array body', [{ clientId: 'c1', mutations: [] }]],
    ];
    it.each(cases)('push with %s', async (_name, body) => {
      expectError(await pushRequest(server, token, body), 400, 'invalid_body');
    });

    it.each<[string, unknown]>([
      ['cursor a number', { clientId: 'c1', cursor: 5 }],
      ['cursor an object', { clientId: 'c1', cursor: { v: 1 } }],
      ['clientId null', { clientId: null, cursor: null }],
      ['limit a string', { clientId: 'c1', cursor: null, limit: 'ten' }],
    ])('pull with %s', async (_name, body) => {
      expectError(
        await request(server.url)
          .post('/api/sync/pull')
          .set('Authorization', bearer(token))
          .send(body as object),
        400,
        'invalid_body',
      );
    });

    it.each<[string, unknown]>([
      ['email a number', { email: 42, password: 'long enough', displayName: 'X' }],
      ['displayName an object', { email: 'shape@example.test', password: 'long enough', displayName: { a: 1 } }],
      ['password an array', { email: 'shape2@example.test', password: ['long enough'], displayName: 'X' }],
    ])('signup with %s', async (_name, body) => {
      expectError(
        await request(server.url)
          .post('/api/auth/signup')
          .send(body as object),
        400,
        'invalid_body',
      );
    });

    it('invite accept with a code that is not a string', async () => {
      expectError(
        await request(server.url).post('/api/invites/accept').set('Authorization', bearer(token)).send({ code: 12345678 }),
        400,
        'invalid_body',
      );
    });
  });

  describe('other unreadable requests: a 4xx, never a 500', () => {
    it('a push sent as text/plain', async () => {
      expectClientError(await rawPost(server, '/api/sync/push', token, JSON.stringify({ clientId: 'c1', mutations: [] }), 'text/plain'));
    });
    it('a push with an unsupported charset', async () => {
      expectClientError(
        await rawPost(server, '/api/sync/push', token, '{"clientId":"c1","mutations":[]}', 'application/json; charset=klingon'),
      );
    });
    it('a push claiming gzip that is not gzip', async () => {
      const res = await request(server.url)
        .post('/api/sync/push')
        .set('Authorization', bearer(token))
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        .send('{"clientId":"c1","mutations":[]}');
      expectClientError(res);
    });
    it('a push with an empty body', async () => {
      expectClientError(await rawPost(server, '/api/sync/push', token, ''), 'invalid_body');
    });
    it('deeply nested args', async () => {
      // Built as text: JSON.stringify itself would overflow the test's stack.
      const depth = 20_000;
      const args = `${'{"a":'.repeat(depth)}"deep"${'}'.repeat(depth)}`;
      const res = await rawPost(
        server,
        '/api/sync/push',
        token,
        `{"clientId":"deep-${newId()}","mutations":[{"id":1,"name":"message.add","args":${args},"hlc":"${hlcAt(Date.now(), 'c')}"}]}`,
      );
      expect(res.status, describeResponse(res)).toBeLessThan(500);
      if (res.status === 200) expect(res.body.results[0].status).toBe('rejected');
      else expectClientError(res);
    });
  });

  describe('limits: 413 payload_too_large', () => {
    it('a body over 1 MiB', async () => {
      const clientId = `big-${newId()}`;
      const body = JSON.stringify({
        clientId,
        mutations: [
          {
            id: 1,
            name: 'session.start',
            args: { id: newId(), startedAt: 1, pad: 'x'.repeat(MAX_BODY_BYTES + 1024) },
            hlc: hlcAt(Date.now(), clientId),
          },
        ],
      });
      expectError(await rawPost(server, '/api/sync/push', token, body), 413, 'payload_too_large');
      expectError(await rawPost(server, '/api/auth/signup', null, body), 413, 'payload_too_large');
    });

    it('more than 500 mutations, applying none of them', async () => {
      const clientId = `many-${newId()}`;
      const ids: string[] = [];
      const mutations: Envelope[] = [];
      for (let i = 1; i <= MAX_PUSH_MUTATIONS + 1; i++) {
        const id = newId();
        ids.push(id);
        mutations.push({
          id: i,
          name: 'session.start',
          args: { id, startedAt: 1_700_000_000_000 + i },
          hlc: hlcAt(Date.now(), clientId, i),
        });
      }
      expectError(await pushRequest(server, token, { clientId, mutations }), 413, 'payload_too_large');
      const sessions = entitiesOf(await freshState(server, token), 'session').map((s) => s.id);
      expect(sessions.filter((id) => ids.includes(id))).toEqual([]);
    });

    it('accepts exactly 500 mutations', async () => {
      const clientId = `max-${newId()}`;
      const mutations: Envelope[] = [];
      for (let i = 1; i <= MAX_PUSH_MUTATIONS; i++) {
        mutations.push({
          id: i,
          name: 'session.activity',
          args: { id: `s-${clientId}`, kind: 'browse', at: 1_700_000_000_000 + i },
          hlc: hlcAt(Date.now(), clientId, i),
        });
      }
      const res = await push(server, token, clientId, mutations);
      expect(res.lastMutationId).toBe(MAX_PUSH_MUTATIONS);
      expect(res.results.every((r) => r.status === 'applied')).toBe(true);
    });

    it('accepts a batch of about 900 KB', async () => {
      const clientId = `wide-${newId()}`;
      const conv = newId();
      const mutations: Envelope[] = [
        {
          id: 1,
          name: 'conversation.create',
          args: { id: conv, spaceId: personalSpace, title: 'Wide' },
          hlc: hlcAt(Date.now(), clientId, 0),
        },
      ];
      for (let i = 2; i <= 46; i++) {
        mutations.push({
          id: i,
          name: 'message.add',
          args: { id: newId(), conversationId: conv, body: 'w'.repeat(20_000) },
          hlc: hlcAt(Date.now(), clientId, i),
        });
      }
      expect(JSON.stringify({ clientId, mutations }).length).toBeLessThan(MAX_BODY_BYTES);
      const res = await push(server, token, clientId, mutations);
      expect(
        res.results.every((r) => r.status === 'applied'),
        JSON.stringify(res.results.filter((r) => r.status !== 'applied')),
      ).toBe(true);
    });
  });

  describe('unknown routes: 404 not_found as JSON', () => {
    it.each([
      ['GET', '/api/nope'],
      ['POST', '/api/sync/nope'],
      ['GET', '/api/sync/push'],
      ['DELETE', '/api/me'],
      ['PUT', '/api/auth/login'],
    ])('%s %s', async (method, path) => {
      const agent = request(server.url);
      const call =
        method === 'GET'
          ? agent.get(path)
          : method === 'POST'
            ? agent.post(path)
            : method === 'DELETE'
              ? agent.delete(path)
              : agent.put(path);
      expectError(await call.set('Authorization', bearer(token)), 404, 'not_found');
    });
  });

  it('keeps answering normally after all of the above', async () => {
    const res = await request(server.url).get('/api/me').set('Authorization', bearer(token));
    expect(res.status, describeResponse(res)).toBe(200);
  });
});
