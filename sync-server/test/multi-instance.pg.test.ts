// Two instances of one deployment (one Postgres database, one Redis prefix), as PROTOCOL.md "Real
// time" and ARCHITECTURE.md "Scale past one machine" require: a push on A pokes devices on B, a
// logout on A is honoured on B at once (its sockets there close too), and an invite accepted on A reaches the partner on B.
import { performance } from 'node:perf_hooks';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { account, couple } from './support/accounts.ts';
import { bearer, describeResponse, expectError, login, me, pull, sleep } from './support/api.ts';
import { cacheCounters } from './support/metrics-scrape.ts';
import { SyncClient, keyOf } from './support/sync-client.ts';
import { WsProbe, closeAll } from './support/ws-probe.ts';

const LATENCY_PUSHES = 200;

function percentile(sorted: readonly number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

describe('two instances on one database and one Redis prefix', () => {
  let a: TestServer;
  let b: TestServer;
  const probes: WsProbe[] = [];

  async function connect(server: TestServer, token: string): Promise<WsProbe> {
    const probe = await WsProbe.authed(server, token);
    probes.push(probe);
    return probe;
  }

  beforeAll(async () => {
    a = await startTestServer();
    b = await startTestServer({}, { sharedDatabaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix });
  });
  afterEach(async () => {
    await closeAll(probes.splice(0));
  });
  afterAll(async () => {
    // B leaves the shared database in place; A drops it and the prefix.
    await b?.close();
    await a?.close();
  });

  it('are two processes of one deployment: one user store, different ports', async () => {
    expect(a.url).not.toBe(b.url);
    const { token, userId } = await account(a, 'Both');
    expect((await me(b, token)).user.id).toBe(userId);
  });

  it('pokes a device connected to B after a push on A, and the pull on B sees the change', async () => {
    const { ana, ben, sharedSpaceId } = await couple(a);
    const benOnB = await connect(b, ben.token);
    const anaOnB = await connect(b, ana.token);
    const marks = { ben: benOnB.mark, ana: anaOnB.mark };

    const writer = new SyncClient(a, ana.token, `ana-${newId()}`);
    const conversationId = newId();
    writer.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'from A' });
    expect((await writer.push()).results[0]?.status).toBe('applied');

    await benOnB.waitFor((f) => f.type === 'poke', { after: marks.ben, what: 'poke on B for the partner push on A' });
    await anaOnB.waitFor((f) => f.type === 'poke', { after: marks.ana, what: "poke on B for the writer's other device" });
    const reader = new SyncClient(b, ben.token, `ben-${newId()}`);
    await reader.pull();
    expect(reader.state.has(keyOf('conversation', conversationId)), 'the pull on B after the poke has the change').toBe(true);
  });

  it(`measures poke latency across instances over ${LATENCY_PUSHES} pushes (printed, not asserted)`, async () => {
    const { ana, ben, sharedSpaceId } = await couple(a);
    const benOnB = await connect(b, ben.token);
    const clientId = `lat-${newId()}`;
    const conversationId = newId();
    const writer = new SyncClient(a, ana.token, clientId);
    writer.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'latency' });
    await writer.push();
    await benOnB.waitFor((f) => f.type === 'poke', { after: 1, what: 'first poke' });
    // Let any late poke of the set-up (the invite's) arrive first, so each push is matched with its own poke.
    await sleep(200);
    const startMark = benOnB.mark;

    const fromSend: number[] = [];
    const fromAnswer: number[] = [];
    for (let i = 0; i < LATENCY_PUSHES; i++) {
      const mark = benOnB.mark;
      writer.mutate('message.add', { id: newId(), conversationId, body: `ping ${i}` });
      const sentAt = performance.now();
      const answer = await writer.push();
      const answeredAt = performance.now();
      expect(answer.results.map((r) => r.status)).toEqual(['applied']);
      const poke = await benOnB.waitFor((f) => f.type === 'poke', { after: mark, timeoutMs: 5000, what: `poke for push ${i}` });
      fromSend.push(poke.at - sentAt);
      fromAnswer.push(poke.at - answeredAt);
    }
    expect(fromSend).toHaveLength(LATENCY_PUSHES);

    const report = (label: string, samples: number[]) => {
      const sorted = [...samples].sort((x, y) => x - y);
      const fmt = (n: number) => n.toFixed(1);
      return `${label}: p50 ${fmt(percentile(sorted, 50))} ms, p99 ${fmt(percentile(sorted, 99))} ms, max ${fmt(sorted.at(-1) ?? Number.NaN)} ms`;
    };
    console.log(
      `[poke latency A->B, ${LATENCY_PUSHES} pushes] ${report('push sent -> poke', fromSend)}; ` +
        `${report('push answered -> poke (negative: poke before the answer)', fromAnswer)}; ` +
        `pokes arriving before the push answer: ${fromAnswer.filter((x) => x < 0).length}`,
    );
    await sleep(100);
    expect(benOnB.pokes(startMark), 'a poke for every push').toBeGreaterThanOrEqual(LATENCY_PUSHES);
  }, 120_000);

  it('refuses a token on B at once after a logout on A, though both instances had it cached', async () => {
    const who = await account(a, 'Leaving');
    const phone = await login(a, who.email, who.password, 'phone');
    const clientId = `c-${newId()}`;
    // Used on both instances, twice each, so the token lookup is cached for the deployment.
    for (const server of [a, b, a, b]) await pull(server, phone.token, { clientId, cursor: null });

    const out = await request(a.url).post('/api/auth/logout').set('Authorization', bearer(phone.token));
    expect(out.status, describeResponse(out)).toBe(204);

    for (const server of [b, a]) {
      expectError(await request(server.url).get('/api/me').set('Authorization', bearer(phone.token)), 401, 'unauthorized');
      expectError(
        await request(server.url).post('/api/sync/pull').set('Authorization', bearer(phone.token)).send({ clientId, cursor: null }),
        401,
        'unauthorized',
      );
    }
    // A socket to B with the revoked token is refused too; the user's other device still works on B.
    const probe = await WsProbe.open(b);
    probes.push(probe);
    probe.send({ type: 'auth', token: phone.token });
    expect((await probe.waitForClose()).code).toBe(4401);
    expect((await me(b, who.token)).user.id).toBe(who.userId);
  });

  it("closes the logged-out device's sockets on both instances with 4401; the user's other device stays connected", async () => {
    const { ana, sharedSpaceId } = await couple(a);
    const phone = await login(a, ana.email, ana.password, 'phone');
    const phoneOnA = await connect(a, phone.token);
    const phoneOnB = await connect(b, phone.token);
    const laptopOnB = await connect(b, ana.token);

    const out = await request(a.url).post('/api/auth/logout').set('Authorization', bearer(phone.token));
    expect(out.status, describeResponse(out)).toBe(204);
    for (const [where, probe] of [
      ['A', phoneOnA],
      ['B', phoneOnB],
    ] as const) {
      const closed = await probe.waitForClose();
      expect(closed, `the phone's socket on ${where}`).toEqual({ code: 4401, reason: 'logged out' });
    }

    // The other device keeps its socket and is poked for the next push, as before.
    const mark = laptopOnB.mark;
    const writer = new SyncClient(a, ana.token, `ana-${newId()}`);
    writer.mutate('conversation.create', { id: newId(), spaceId: sharedSpaceId, title: 'after logout' });
    expect((await writer.push()).results[0]?.status).toBe('applied');
    await laptopOnB.waitFor((f) => f.type === 'poke', { after: mark, what: "poke for the laptop after the phone's logout" });
    expect(laptopOnB.closed).toBeNull();
    expect(phoneOnB.pokes(), 'the logged-out socket got only its welcome poke').toBe(1);
  });

  it('pokes the inviter on B when the invite is accepted on A, then for every push in the new shared space', async () => {
    const ana = await account(a, 'Ana');
    const ben = await account(a, 'Ben');
    const anaOnB = await connect(b, ana.token);

    const invite = await request(a.url).post('/api/invites').set('Authorization', bearer(ana.token));
    expect(invite.status, describeResponse(invite)).toBe(201);
    const beforeAccept = anaOnB.mark;
    const accepted = await request(a.url)
      .post('/api/invites/accept')
      .set('Authorization', bearer(ben.token))
      .send({ code: invite.body.code });
    expect(accepted.status, describeResponse(accepted)).toBe(200);
    const sharedSpaceId = (accepted.body as { space: { id: string } }).space.id;
    await anaOnB.waitFor((f) => f.type === 'poke', { after: beforeAccept, what: 'poke on B for the accepted invite' });
    // Ben came online on no instance yet; now he connects on A: Ana on B hears it (presence crosses instances too).
    const benOnA = await connect(a, ben.token);
    await anaOnB.waitFor((f) => f.type === 'presence' && f.userId === ben.userId && f.state === 'online', { what: 'Ben online, from A' });

    // Ben writes in the new shared space on A: Ana's socket on B is poked each time.
    const writer = new SyncClient(a, ben.token, `ben-${newId()}`);
    const conversationId = newId();
    for (let i = 0; i < 3; i++) {
      const mark = anaOnB.mark;
      if (i === 0) writer.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'new home' });
      else writer.mutate('message.add', { id: newId(), conversationId, body: `hello ${i}` });
      expect((await writer.push()).results.at(-1)?.status).toBe('applied');
      await anaOnB.waitFor((f) => f.type === 'poke', { after: mark, what: `poke on B for shared push ${i}` });
    }
    // And Ana pulling on B sees the space and the writes.
    const reader = new SyncClient(b, ana.token, `ana-${newId()}`);
    await reader.pull();
    expect(reader.state.get(keyOf('space', sharedSpaceId))?.deleted).toBe(false);
    expect(reader.state.has(keyOf('conversation', conversationId))).toBe(true);
    expect(benOnA.malformed).toEqual([]);
    expect(anaOnB.malformed).toEqual([]);
  });

  it('keeps the pull cache consistent across instances: a push on A is never hidden by a cached empty pull on B', async () => {
    const { ana, ben, sharedSpaceId } = await couple(a);
    const reader = new SyncClient(b, ben.token, `ben-${newId()}`);
    await reader.pull();
    const writer = new SyncClient(a, ana.token, `ana-${newId()}`);
    const conversationId = newId();
    writer.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'cached?' });
    await writer.push();
    const before = await cacheCounters(b);
    for (let round = 0; round < 20; round++) {
      // Empty pulls on B (cacheable), then one more push on A that B must see at once.
      for (let i = 0; i < 3; i++) await reader.pull();
      const id = newId();
      writer.mutate('message.add', { id, conversationId, body: `r${round}` });
      expect((await writer.push()).results.map((r) => r.status)).toEqual(['applied']);
      await reader.pull();
      expect(reader.state.has(keyOf('message', id)), `round ${round}: B's pull sees A's push`).toBe(true);
    }
    expect((await cacheCounters(b)).pullHit - before.pullHit, "B answered the empty pulls from the deployment's cache").toBeGreaterThan(0);
  });
});
