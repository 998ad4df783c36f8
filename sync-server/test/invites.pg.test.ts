// Spaces and partners (PROTOCOL.md "Spaces and partners", Pull guarantee 3: isolation).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcceptInviteResponseSchema, INVITE_CODE_ALPHABET, InviteResponseSchema, newId } from '@duet/shared';
import { signup, startTestServer, type TestServer } from './harness.ts';
import { bearer, describeResponse, expectError, expectRequestId, linkPartners, me, personalSpaceId, sleep } from './support/api.ts';
import { expectRateLimited, fromIp } from './support/rate-limits.ts';
import { SyncClient, entitiesOf, entityIn, freshState, snapshot } from './support/sync-client.ts';
import type { Config } from '../src/config.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

async function createInvite(server: TestServer, token: string) {
  const res = await request(server.url).post('/api/invites').set('Authorization', bearer(token));
  expect(res.status, describeResponse(res)).toBe(201);
  expectRequestId(res);
  return InviteResponseSchema.parse(res.body);
}

function accept(server: TestServer, token: string, code: unknown, headers: Record<string, string> = {}) {
  return request(server.url).post('/api/invites/accept').set(headers).set('Authorization', bearer(token)).send({ code });
}

/** Crockford base32 without I, L, O, U, in three groups of four: 12 symbols of 5 bits. */
const CODE_FORMAT = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

describe('invites', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('creates an invite with a 12-symbol code (60 bits) in groups of four, valid for 7 days', async () => {
    const ana = await signup(server);
    const before = Date.now();
    const invite = await createInvite(server, ana.token);
    expect(invite.code).toMatch(CODE_FORMAT);
    const expiresAt = Date.parse(invite.expiresAt);
    expect(Number.isNaN(expiresAt), `expiresAt ${invite.expiresAt} is a date`).toBe(false);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY_MS - 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 7 * DAY_MS + 60_000);

    const second = await createInvite(server, ana.token);
    expect(second.code).not.toBe(invite.code);
  });

  it.each([
    ['in lower case', (code: string) => code.toLowerCase()],
    ['with spaces for dashes, and around', (code: string) => ` ${code.replace(/-/g, ' ')}  `],
    ['without dashes', (code: string) => code.replace(/-/g, '')],
    ['with other dashes where it likes', (code: string) => `${code.replace(/-/g, '').slice(0, 6)}\u2013${code.replace(/-/g, '').slice(6)}`],
    ['with O for 0 and I or L for 1', (code: string) => code.replace(/0/g, 'O').replace(/1/g, (_one, at: number) => (at % 2 ? 'I' : 'l'))],
  ])('accepts a code typed %s', async (_name, retype) => {
    const ana = await signup(server);
    const ben = await signup(server);
    const { code } = await createInvite(server, ana.token);
    const res = await accept(server, ben.token, retype(code));
    expect(res.status, `${JSON.stringify(retype(code))}: ${describeResponse(res)}`).toBe(200);
  });

  it('answers 400 invalid_body for a code with characters no code has', async () => {
    const ben = await signup(server);
    for (const code of ['ABCD*EFGH', 'ABCD\u0000EFGH', '\ud800ABCD', 'ÅBCD-EFGH'])
      expectError(await accept(server, ben.token, code), 400, 'invalid_body');
  });

  it('links two users: one shared space, with both members, in /api/me of both', async () => {
    const ana = await signup(server, { displayName: 'Ana' });
    const ben = await signup(server, { displayName: 'Ben' });
    const invite = await createInvite(server, ana.token);

    const res = await accept(server, ben.token, invite.code);
    expect(res.status, describeResponse(res)).toBe(200);
    expectRequestId(res);
    const { space } = AcceptInviteResponseSchema.parse(res.body);
    expect(space.kind).toBe('shared');
    expect(space.members.map((m) => m.userId).sort()).toEqual([ana.user.id, ben.user.id].sort());
    expect(space.members).toEqual(
      expect.arrayContaining([
        { userId: ana.user.id, displayName: 'Ana' },
        { userId: ben.user.id, displayName: 'Ben' },
      ]),
    );

    for (const account of [ana, ben]) {
      const mine = await me(server, account.token);
      expect(mine.spaces.filter((s) => s.kind === 'personal')).toHaveLength(1);
      const shared = mine.spaces.filter((s) => s.kind === 'shared');
      expect(shared).toHaveLength(1);
      expect(shared[0]?.id).toBe(space.id);
      expect(shared[0]?.members.map((m) => m.userId).sort()).toEqual([ana.user.id, ben.user.id].sort());
    }
  });

  it('answers 404 invite_not_found for an unknown code', async () => {
    const ben = await signup(server);
    expectError(await accept(server, ben.token, 'ZZZZ9999'), 404, 'invite_not_found');
    expectError(await accept(server, ben.token, 'nope'), 404, 'invite_not_found');
  });

  it('answers 400 invalid_body for an accept without a code', async () => {
    const ben = await signup(server);
    const res = await request(server.url).post('/api/invites/accept').set('Authorization', bearer(ben.token)).send({});
    expectError(res, 400, 'invalid_body');
  });

  it('answers 410 invite_used when someone else has already accepted the code', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const cleo = await signup(server);
    const invite = await createInvite(server, ana.token);
    expect((await accept(server, ben.token, invite.code)).status).toBe(200);
    expectError(await accept(server, cleo.token, invite.code), 410, 'invite_used');
    expect((await me(server, cleo.token)).spaces.map((s) => s.kind)).toEqual(['personal']);
  });

  it('answers 409 already_member when the invitee accepts the same code twice', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const invite = await createInvite(server, ana.token);
    expect((await accept(server, ben.token, invite.code)).status).toBe(200);
    expectError(await accept(server, ben.token, invite.code), 409, 'already_member');
    const shared = (await me(server, ben.token)).spaces.filter((s) => s.kind === 'shared');
    expect(shared, 'accepting twice does not make a second space').toHaveLength(1);
  });

  it("answers 409 already_member when the inviter then accepts the partner's own invite", async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    expect((await accept(server, ben.token, (await createInvite(server, ana.token)).code)).status).toBe(200);
    const benInvite = await createInvite(server, ben.token);
    expectError(await accept(server, ana.token, benInvite.code), 409, 'already_member');
    expect((await me(server, ana.token)).spaces.filter((s) => s.kind === 'shared')).toHaveLength(1);
  });

  it('answers 409 already_member when a user accepts their own code', async () => {
    const ana = await signup(server);
    const invite = await createInvite(server, ana.token);
    const res = await accept(server, ana.token, invite.code);
    expectError(res, 409, 'already_member');
    // The app tells "this is your own code" apart from "already linked".
    expect(res.body.error.details).toEqual({ reason: 'own_invite' });
    expect((await me(server, ana.token)).spaces.map((s) => s.kind)).toEqual(['personal']);
  });

  it('keeps one shared space per couple: someone with a partner cannot accept or hand out another invite', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const cam = await signup(server);
    await linkPartners(server, ana.token, ben.token);
    const fromCam = await createInvite(server, cam.token);
    const refused = await accept(server, ben.token, fromCam.code);
    expectError(refused, 409, 'already_linked');
    expect(refused.body.error.details).toEqual({ who: 'you' });
    const fromAna = await createInvite(server, ana.token);
    const refusedToo = await accept(server, cam.token, fromAna.code);
    expectError(refusedToo, 409, 'already_linked');
    expect(refusedToo.body.error.details).toEqual({ who: 'inviter' });
    for (const who of [ana, ben]) expect((await me(server, who.token)).spaces.filter((s) => s.kind === 'shared')).toHaveLength(1);
    expect((await me(server, cam.token)).spaces.map((s) => s.kind)).toEqual(['personal']);
    // Cam's code is still usable by someone else: a refused accept does not use it up.
    const dan = await signup(server);
    expect((await accept(server, dan.token, fromCam.code)).status).toBe(200);
  });

  it('unlinks a couple: the shared space leaves both sides, whose pulls say it is gone, and they may link again', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const spaceId = await linkPartners(server, ana.token, ben.token);
    const anaClient = new SyncClient(server, ana.token);
    const benClient = new SyncClient(server, ben.token);
    const conversationId = newId();
    anaClient.mutate('conversation.create', { id: conversationId, spaceId, title: 'Ours' });
    await anaClient.push();
    await Promise.all([anaClient.pull(), benClient.pull()]);
    expect(entityIn(benClient.state, 'conversation', conversationId)).toBeDefined();

    const res = await request(server.url).delete('/api/partner').set('Authorization', bearer(ben.token));
    expect(res.status, describeResponse(res)).toBe(204);
    for (const client of [anaClient, benClient]) {
      const answer = await client.pull();
      expect(answer.pages.flatMap((p) => p.changes)).toContainEqual({
        kind: 'space',
        id: spaceId,
        version: expect.any(Number),
        deleted: true,
        data: null,
      });
    }
    for (const who of [ana, ben]) expect((await me(server, who.token)).spaces.map((s) => s.kind)).toEqual(['personal']);
    // A fresh device of either has nothing of the old space.
    expect(entityIn(await freshState(server, ana.token), 'conversation', conversationId)).toBeUndefined();

    expectError(await request(server.url).delete('/api/partner').set('Authorization', bearer(ana.token)), 404, 'not_found');
    expectError(await request(server.url).delete('/api/partner'), 401, 'unauthorized');
    const again = await linkPartners(server, ben.token, ana.token);
    expect(again).not.toBe(spaceId);
  });

  it('lets the partner see the shared space and its conversation in pull', async () => {
    const ana = await signup(server, { displayName: 'Ana' });
    const ben = await signup(server, { displayName: 'Ben' });
    const invite = await createInvite(server, ana.token);
    const { space } = AcceptInviteResponseSchema.parse((await accept(server, ben.token, invite.code)).body);

    const anaClient = new SyncClient(server, ana.token);
    const conversationId = newId();
    const messageId = newId();
    anaClient.mutate('conversation.create', { id: conversationId, spaceId: space.id, title: 'Weekend' });
    anaClient.mutate('message.add', { id: messageId, conversationId, body: 'Hike on Saturday?' });
    const pushed = await anaClient.push();
    expect(pushed.results.map((r) => r.status)).toEqual(['applied', 'applied']);

    const benState = await freshState(server, ben.token);
    expect(entityIn(benState, 'space', space.id)?.kind, 'the shared space is delivered as kind "space"').toBe('shared');
    expect(entityIn(benState, 'conversation', conversationId)).toMatchObject({
      spaceId: space.id,
      title: 'Weekend',
      createdBy: ana.user.id,
    });
    expect(entityIn(benState, 'message', messageId)).toMatchObject({ conversationId, body: 'Hike on Saturday?', authorId: ana.user.id });
  });

  it('delivers a newly joined space to a cursor made before joining', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const anaClient = new SyncClient(server, ana.token);
    const benClient = new SyncClient(server, ben.token);
    // Both are caught up (and a second pull may be answered from a cache) before they link.
    await anaClient.pull();
    await benClient.pull();
    expect((await benClient.pull()).pages.flatMap((p) => p.changes)).toEqual([]);

    const invite = await createInvite(server, ana.token);
    const { space } = AcceptInviteResponseSchema.parse((await accept(server, ben.token, invite.code)).body);
    const conversationId = newId();
    anaClient.mutate('conversation.create', { id: conversationId, spaceId: space.id, title: 'Ours now' });
    expect((await anaClient.push()).results.map((r) => r.status)).toEqual(['applied']);

    for (const client of [anaClient, benClient]) {
      await client.pull();
      expect(entityIn(client.state, 'space', space.id)?.members.length, 'the shared space, with both members').toBe(2);
      expect(entityIn(client.state, 'conversation', conversationId)?.title).toBe('Ours now');
      expect(snapshot(client.state)).toEqual(snapshot(await freshState(server, client.token)));
    }
  });

  it('keeps personal spaces private to their owner, before and after linking', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const anaPersonal = await personalSpaceId(server, ana.token);
    const benPersonal = await personalSpaceId(server, ben.token);

    const anaClient = new SyncClient(server, ana.token);
    const secretConversation = newId();
    const secretMessage = newId();
    const secretTranscript = newId();
    const secretSession = newId();
    anaClient.mutate('conversation.create', { id: secretConversation, spaceId: anaPersonal, title: 'Diary of Ana' });
    anaClient.mutate('message.add', { id: secretMessage, conversationId: secretConversation, body: 'secret-body-of-ana' });
    anaClient.mutate('transcript.create', { id: secretTranscript, spaceId: anaPersonal, text: 'secret-transcript-of-ana', language: 'en' });
    anaClient.mutate('session.start', { id: secretSession, startedAt: Date.now() - 5000 });
    const pushed = await anaClient.push();
    expect(
      pushed.results.every((r) => r.status === 'applied'),
      JSON.stringify(pushed.results),
    ).toBe(true);

    const invite = await createInvite(server, ana.token);
    expect((await accept(server, ben.token, invite.code)).status).toBe(200);

    const benState = await freshState(server, ben.token);
    const benSees = JSON.stringify([...benState.values()]);
    for (const secret of [
      anaPersonal,
      secretConversation,
      secretMessage,
      secretTranscript,
      secretSession,
      'Diary of Ana',
      'secret-body-of-ana',
      'secret-transcript-of-ana',
    ]) {
      expect(benSees.includes(secret), `Ben's pull contains ${secret}`).toBe(false);
    }
    const benMe = await me(server, ben.token);
    expect(benMe.spaces.map((s) => s.id)).not.toContain(anaPersonal);
    expect(benMe.spaces.map((s) => s.id)).toContain(benPersonal);

    // And Ben cannot write into Ana's personal space or its conversation.
    const benClient = new SyncClient(server, ben.token);
    benClient.mutate('conversation.create', { id: newId(), spaceId: anaPersonal, title: 'intruder' });
    benClient.mutate('message.add', { id: newId(), conversationId: secretConversation, body: 'intruder' });
    const rejected = await benClient.push();
    expect(rejected.results.map((r) => [r.status, r.error?.code])).toEqual([
      ['rejected', 'forbidden'],
      // A conversation of a space he is not in gets the answer of one that does not exist.
      ['rejected', 'forbidden'],
    ]);
    const anaState = await freshState(server, ana.token);
    expect(JSON.stringify([...anaState.values()]).includes('intruder')).toBe(false);
    expect(entitiesOf(anaState, 'message').map((m) => m.id)).toEqual([secretMessage]);
  });

  it('answers 401 unauthorized for invite calls without a token', async () => {
    expectError(await request(server.url).post('/api/invites'), 401, 'unauthorized');
    expectError(await request(server.url).post('/api/invites/accept').send({ code: 'ABCDEFGH' }), 401, 'unauthorized');
  });
});

describe('expired invites', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ inviteTtlDays: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers 410 invite_expired for an expired code, whoever tries it', async () => {
    const ana = await signup(server);
    const ben = await signup(server);
    const invite = await createInvite(server, ana.token);
    await sleep(50);
    expectError(await accept(server, ben.token, invite.code), 410, 'invite_expired');
    expect((await me(server, ben.token)).spaces.map((s) => s.kind)).toEqual(['personal']);
  });
});

/** Invite limits for a test: everything generous except what the test sets. */
function inviteLimits(limits: Partial<Config['inviteRateLimit']>): Config['inviteRateLimit'] {
  const plenty = { points: 1000, windowSec: 3600 };
  return { createPerUser: plenty, acceptPerUser: plenty, acceptPerIp: plenty, ...limits };
}

describe('invite code entropy', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ inviteRateLimit: inviteLimits({}) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('draws every symbol of the 32 uniformly at every position: at least 60 bits per code', async () => {
    const ana = await signup(server);
    const codes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const batch = await Promise.all(Array.from({ length: 25 }, () => createInvite(server, ana.token)));
      codes.push(...batch.map((b) => b.code));
    }
    for (const code of codes) expect(code).toMatch(CODE_FORMAT);
    expect(new Set(codes).size, 'no code repeats').toBe(codes.length);

    const symbols = codes.map((c) => c.replace(/-/g, ''));
    const length = symbols[0]?.length ?? 0;
    expect(length * Math.log2(INVITE_CODE_ALPHABET.length), 'bits per code').toBeGreaterThanOrEqual(60);
    // 200 codes x 12 positions: each of the 32 symbols is expected 75 times overall and 6.25
    // times per position. A smaller alphabet, or a position that does not vary, fails here.
    const counts = new Map<string, number>();
    for (const code of symbols) for (const ch of code) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    expect([...counts.keys()].sort().join('')).toBe(INVITE_CODE_ALPHABET);
    for (let at = 0; at < length; at++) {
      const distinct = new Set(symbols.map((c) => c[at])).size;
      expect(distinct, `distinct symbols at position ${at}`).toBeGreaterThanOrEqual(20);
    }
  });
});

describe('invite limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      inviteRateLimit: inviteLimits({
        createPerUser: { points: 3, windowSec: 3600 },
        acceptPerUser: { points: 4, windowSec: 3600 },
        acceptPerIp: { points: 6, windowSec: 1800 },
      }),
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const guess = (i: number) => `ZZZZ-ZZZZ-${String(i).padStart(4, '0')}`;

  it('answers 429 rate_limited with Retry-After once a user has guessed wrong codes', async () => {
    const mallory = await signup(server);
    for (let i = 0; i < 4; i++) expectError(await accept(server, mallory.token, guess(i), fromIp('203.0.113.1')), 404, 'invite_not_found');
    // From another address too: the limit is the user's.
    expectRateLimited(await accept(server, mallory.token, guess(9), fromIp('203.0.113.2')), 3600);
  });

  it('answers 429 rate_limited once an address has guessed wrong codes, whichever user sends them', async () => {
    const address = fromIp('198.51.100.7');
    const statuses: number[] = [];
    for (let user = 0; user < 3; user++) {
      const guesser = await signup(server);
      for (let i = 0; i < 3; i++) statuses.push((await accept(server, guesser.token, guess(user * 10 + i), address)).status);
    }
    expect(statuses.slice(0, 6), statuses.join(',')).toEqual([404, 404, 404, 404, 404, 404]);
    const fresh = await signup(server);
    expectRateLimited(await accept(server, fresh.token, guess(99), address), 1800);
    // Another address is not affected.
    expectError(await accept(server, fresh.token, guess(98), fromIp('198.51.100.8')), 404, 'invite_not_found');
  });

  it('cannot be outrun by sending the guesses all at once', async () => {
    const mallory = await signup(server);
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => accept(server, mallory.token, guess(i), fromIp('192.0.2.1'))));
    const statuses = answers.map((r) => r.status);
    for (const res of answers) expect([404, 429], describeResponse(res)).toContain(res.status);
    expect(statuses.filter((s) => s === 404).length, statuses.join(',')).toBeLessThanOrEqual(4);
  });

  it('does not count accepted codes', async () => {
    // The same address accepts more codes than its limit allows failures (one partner each).
    for (let i = 0; i < 6; i++) {
      const ben = await signup(server);
      const inviter = await signup(server);
      const res = await accept(server, ben.token, (await createInvite(server, inviter.token)).code, fromIp('192.0.2.2'));
      expect(res.status, describeResponse(res)).toBe(200);
    }
  });

  it('answers 429 rate_limited once a user has created their invites', async () => {
    const ana = await signup(server);
    for (let i = 0; i < 3; i++) await createInvite(server, ana.token);
    const res = await request(server.url).post('/api/invites').set('Authorization', bearer(ana.token));
    expectRateLimited(res, 3600);
    // Another user still can.
    await createInvite(server, (await signup(server)).token);
  });
});
