// Real time (PROTOCOL.md "Real time"): the auth handshake of /api/sync/ws, pokes after commits a
// user's pull would see (and none for other spaces), and partners' presence: online, typing, offline.
import pg from 'pg';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { account, clientOf, couple, type Account } from './support/accounts.ts';
import { bearer, describeResponse, login, sleep } from './support/api.ts';
import { WsProbe, closeAll, type ServerFrame } from './support/ws-probe.ts';

/** How long "nothing arrives" is watched, after a later frame proved the earlier ones were sent. */
const QUIET_MS = 300;

describe('real time over WebSocket', () => {
  let server: TestServer;
  const probes: WsProbe[] = [];

  async function connect(token: string): Promise<WsProbe> {
    const probe = await WsProbe.authed(server, token);
    probes.push(probe);
    return probe;
  }

  async function openRaw(): Promise<WsProbe> {
    const probe = await WsProbe.open(server);
    probes.push(probe);
    return probe;
  }

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(async () => {
    await closeAll(probes.splice(0));
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('auth handshake', () => {
    it('closes with 4401 on a token that belongs to no device', async () => {
      const probe = await openRaw();
      probe.send({ type: 'auth', token: `x${newId()}${newId()}` });
      const closed = await probe.waitForClose();
      expect(closed.code).toBe(4401);
      expect(probe.pokes(), 'no poke for an unauthenticated socket').toBe(0);
    });

    it('closes with 4401 on a token revoked by logout', async () => {
      const who = await account(server, 'Leaving');
      const out = await request(server.url).post('/api/auth/logout').set('Authorization', bearer(who.token));
      expect(out.status, describeResponse(out)).toBe(204);
      const probe = await openRaw();
      probe.send({ type: 'auth', token: who.token });
      expect((await probe.waitForClose()).code).toBe(4401);
      expect(probe.pokes()).toBe(0);
    });

    it('closes with 4401 when the first frame is not an auth frame', async () => {
      const who = await account(server, 'Eager');
      const typingFirst = await openRaw();
      typingFirst.send({ type: 'typing', conversationId: newId() });
      expect((await typingFirst.waitForClose()).code).toBe(4401);

      const notJson = await openRaw();
      notJson.send('hello');
      expect((await notJson.waitForClose()).code).toBe(4401);

      const wrongShape = await openRaw();
      wrongShape.send({ type: 'auth' });
      expect((await wrongShape.waitForClose()).code).toBe(4401);

      // The same user's good token still works on a fresh socket.
      const good = await connect(who.token);
      expect(good.closed).toBeNull();
      expect(good.malformed).toEqual([]);
    });
  });

  describe('pokes', () => {
    it('pokes a device after its own push and after its partner push, never another user for a space they are not in', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const carl = await account(server, 'Carl');
      const anaPhone = await login(server, ana.email, ana.password, 'phone');

      const anaWs = await connect(anaPhone.token);
      const benWs = await connect(ben.token);
      const carlWs = await connect(carl.token);
      const start = { ana: anaWs.mark, ben: benWs.mark, carl: carlWs.mark };

      // Ana (another of her devices) writes in her personal space: her phone is poked, Ben is not.
      const anaLaptop = clientOf(server, ana, 'ana-laptop');
      anaLaptop.mutate('conversation.create', { id: newId(), spaceId: ana.personalSpaceId, title: 'private' });
      expect((await anaLaptop.push()).results[0]?.status).toBe('applied');
      await anaWs.waitFor((f) => f.type === 'poke', { after: start.ana, what: "poke for Ana's own push" });

      // Ben writes in the shared space: both are poked. Ben's single poke proves Ana's personal push did not poke him.
      const afterPersonal = anaWs.mark;
      const benClient = clientOf(server, ben, 'ben');
      const conversationId = newId();
      benClient.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'ours' });
      expect((await benClient.push()).results[0]?.status).toBe('applied');
      await anaWs.waitFor((f) => f.type === 'poke', { after: afterPersonal, what: "poke for the partner's push" });
      await benWs.waitFor((f) => f.type === 'poke', { after: start.ben, what: "poke for Ben's own push in the shared space" });

      // Carl tries to write into their shared space: rejected, nothing committed, nobody poked.
      const carlClient = clientOf(server, carl, 'carl');
      carlClient.mutate('message.add', { id: newId(), conversationId, body: 'let me in' });
      carlClient.mutate('conversation.create', { id: newId(), spaceId: sharedSpaceId, title: 'intruder' });
      const rejected = await carlClient.push();
      expect(rejected.results.map((r) => r.status)).toEqual(['rejected', 'rejected']);

      // Carl then writes in his own space: he is poked, and that poke bounds the wait for stray ones.
      const carlBefore = carlWs.mark;
      carlClient.mutate('conversation.create', { id: newId(), spaceId: carl.personalSpaceId, title: 'mine' });
      expect((await carlClient.push()).results[0]?.status).toBe('applied');
      await carlWs.waitFor((f) => f.type === 'poke', { after: carlBefore, what: "poke for Carl's own push" });
      await sleep(QUIET_MS);

      expect(benWs.pokes(start.ben), "Ben: one poke (the shared push), none for Ana's or Carl's spaces").toBe(1);
      expect(anaWs.pokes(start.ana), "Ana: her push and Ben's, none for Carl's").toBe(2);
      expect(carlWs.pokes(start.carl), 'Carl: only his own push, nothing of the couple').toBe(1);
      expect(
        carlWs.frames(0, (f) => f.type === 'presence'),
        'Carl hears no presence of strangers',
      ).toEqual([]);
      for (const probe of [anaWs, benWs, carlWs]) expect(probe.malformed).toEqual([]);
    });

    it('pokes every connected device of every member of the space', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const anaSecond = await login(server, ana.email, ana.password, 'tablet');
      const benSecond = await login(server, ben.email, ben.password, 'tablet');
      const sockets = await Promise.all([ana.token, anaSecond.token, ben.token, benSecond.token].map((t) => connect(t)));
      const marks = sockets.map((s) => s.mark);

      const writer = clientOf(server, ana, 'writer');
      writer.mutate('conversation.create', { id: newId(), spaceId: sharedSpaceId, title: 'for all' });
      await writer.push();
      await Promise.all(
        sockets.map((s, i) => s.waitFor((f) => f.type === 'poke', { after: marks[i] as number, what: `poke on socket ${i}` })),
      );
    });
  });

  describe('presence', () => {
    const presenceOf = (userId: string, state: string) => (f: ServerFrame) =>
      f.type === 'presence' && f.userId === userId && f.state === state;

    it('tells partners who is online, who is typing in a shared conversation, and who left', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const carl: Account = await account(server, 'Carl');
      const setup = clientOf(server, ben, 'setup');
      const shared = newId();
      const personal = newId();
      setup.mutate('conversation.create', { id: shared, spaceId: sharedSpaceId, title: 'shared' });
      setup.mutate('conversation.create', { id: personal, spaceId: ben.personalSpaceId, title: 'diary' });
      expect((await setup.push()).results.map((r) => r.status)).toEqual(['applied', 'applied']);

      const carlWs = await connect(carl.token);
      const anaWs = await connect(ana.token);
      const benWs = await connect(ben.token);

      // Ben came online: Ana hears it; Ben, arriving second, learns that Ana is online.
      await anaWs.waitFor(presenceOf(ben.userId, 'online'), { what: 'Ben online' });
      await benWs.waitFor(presenceOf(ana.userId, 'online'), { what: 'Ana online (told on arrival)' });

      // Typing in his personal conversation is private; typing in the shared one reaches Ana with its id.
      const beforeTyping = anaWs.mark;
      benWs.send({ type: 'typing', conversationId: personal });
      await sleep(1100); // the server takes one typing frame per second per socket
      benWs.send({ type: 'typing', conversationId: shared });
      const typing = await anaWs.waitFor((f) => f.type === 'presence' && f.state === 'typing', { after: beforeTyping, what: 'Ben typing' });
      expect(typing.frame).toEqual({ type: 'presence', userId: ben.userId, state: 'typing', conversationId: shared });
      expect(
        anaWs.frames(beforeTyping, (f) => f.type === 'presence' && f.state === 'typing'),
        'only the shared conversation',
      ).toHaveLength(1);
      expect(
        benWs.frames(0, (f) => f.type === 'presence' && f.userId === ben.userId),
        'no echo of his own presence',
      ).toEqual([]);
      expect(benWs.closed, 'typing frames are accepted after auth').toBeNull();

      // A second device of Ben: closing one of two is not "offline"; closing the last one is.
      const benTablet = await login(server, ben.email, ben.password, 'tablet');
      const benSecond = await connect(benTablet.token);
      const beforeLeaving = anaWs.mark;
      await benSecond.close();
      await sleep(QUIET_MS);
      expect(anaWs.frames(beforeLeaving, presenceOf(ben.userId, 'offline')), 'Ben still has a device online').toEqual([]);
      await benWs.close();
      await anaWs.waitFor(presenceOf(ben.userId, 'offline'), { after: beforeLeaving, what: 'Ben offline' });

      expect(
        carlWs.frames(0, (f) => f.type === 'presence'),
        'an outsider hears no presence of the couple',
      ).toEqual([]);
      for (const probe of [anaWs, benWs, carlWs]) expect(probe.malformed).toEqual([]);
    });

    it('authenticates a burst of auth frames on one socket once: one welcome poke, one online for the partner', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const benWs = await connect(ben.token);
      const anaWs = await openRaw();
      for (let i = 0; i < 20; i++) anaWs.send({ type: 'auth', token: ana.token });
      await anaWs.waitFor((f) => f.type === 'poke', { what: 'the welcome poke' });
      await benWs.waitFor(presenceOf(ana.userId, 'online'), { what: 'Ana online' });
      await sleep(QUIET_MS);
      // A push after the burst: its poke reaches both only after anything the burst sent.
      const [anaMark, benMark] = [anaWs.mark, benWs.mark];
      const writer = clientOf(server, ana, 'burst');
      writer.mutate('conversation.create', { id: newId(), spaceId: sharedSpaceId, title: 'after the burst' });
      expect((await writer.push()).results.map((r) => r.status)).toEqual(['applied']);
      await anaWs.waitFor((f) => f.type === 'poke', { after: anaMark, what: "poke for Ana's push" });
      await benWs.waitFor((f) => f.type === 'poke', { after: benMark, what: "poke for Ana's push" });

      expect(anaWs.pokes(0) - anaWs.pokes(anaMark), 'welcome pokes').toBe(1);
      expect(benWs.frames(0, presenceOf(ana.userId, 'online')), 'online announcements of Ana').toHaveLength(1);
      expect(anaWs.closed).toBeNull();
      for (const probe of [anaWs, benWs]) expect(probe.malformed).toEqual([]);
    });

    it('announces no one online for a socket that closed while its auth frame was being checked', async () => {
      const { ana, ben } = await couple(server);
      const benWs = await connect(ben.token);
      for (let i = 0; i < 5; i++) {
        const early = await openRaw();
        early.send({ type: 'auth', token: ana.token });
        early.ws.terminate();
        await early.waitForClose();
      }
      await sleep(QUIET_MS);
      // A second device of Ben's arriving now is told who is online: Ana must not be.
      const benTablet = await login(server, ben.email, ben.password, 'tablet');
      const tabletWs = await connect(benTablet.token);
      await sleep(QUIET_MS);
      expect(tabletWs.frames(0, presenceOf(ana.userId, 'online')), 'Ana reported online').toEqual([]);
      const statesOfAna = benWs
        .frames(0, (f) => f.type === 'presence' && f.userId === ana.userId)
        .map((f) => (f.type === 'presence' ? f.state : null));
      expect(statesOfAna.at(-1), 'the last word Ben heard on Ana').not.toBe('online');
    });

    it('does not relay typing for a conversation of a space the sender is not in', async () => {
      const { ana, ben, sharedSpaceId } = await couple(server);
      const carl = await account(server, 'Carl');
      const setup = clientOf(server, ana, 'setup');
      const shared = newId();
      setup.mutate('conversation.create', { id: shared, spaceId: sharedSpaceId, title: 'shared' });
      await setup.push();

      const anaWs = await connect(ana.token);
      const benWs = await connect(ben.token);
      const carlWs = await connect(carl.token);
      const marks = { ana: anaWs.mark, ben: benWs.mark };

      carlWs.send({ type: 'typing', conversationId: shared });
      // Ben's typing afterwards bounds the wait: Ana gets his, and nothing from Carl.
      await sleep(QUIET_MS);
      benWs.send({ type: 'typing', conversationId: shared });
      await anaWs.waitFor((f) => f.type === 'presence' && f.state === 'typing', { after: marks.ana, what: 'Ben typing' });
      await sleep(QUIET_MS);
      const typingFrames = anaWs.frames(marks.ana, (f) => f.type === 'presence' && f.state === 'typing');
      expect(typingFrames).toEqual([{ type: 'presence', userId: ben.userId, state: 'typing', conversationId: shared }]);
      expect(benWs.frames(marks.ben, (f) => f.type === 'presence' && f.userId === carl.userId)).toEqual([]);
    });
  });
});

describe('a logout whose bus event never arrived (Redis down, another instance)', () => {
  let server: TestServer;
  const probes: WsProbe[] = [];

  beforeAll(async () => {
    server = await startTestServer({ wsPingIntervalSec: 1 });
  });
  afterAll(async () => {
    await closeAll(probes.splice(0));
    await server?.close();
  });

  it("closes the device's socket with 4401 at the next ping round; the user's other device stays", async () => {
    const who = await account(server, 'Quiet');
    const phone = await login(server, who.email, who.password, 'phone');
    const phoneWs = await WsProbe.authed(server, phone.token);
    const laptopWs = await WsProbe.authed(server, who.token);
    probes.push(phoneWs, laptopWs);
    // Revoked in Postgres only, as a logout on an instance this one heard nothing from.
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      await db.query('UPDATE devices SET revoked_at = now() WHERE id = $1', [phone.deviceId]);
    } finally {
      await db.end();
    }
    expect(await phoneWs.waitForClose()).toEqual({ code: 4401, reason: 'logged out' });
    // Two more ping rounds: the laptop, not revoked, is still connected.
    await sleep(2_500);
    expect(laptopWs.closed).toBeNull();
  });
});
