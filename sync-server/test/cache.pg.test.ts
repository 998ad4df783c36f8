// Redis as a cache (ARCHITECTURE.md "Storage and cache"): an empty pull and a repeated /api/stats
// are answered from Redis without Postgres, and no flush of the cache, at any moment, makes a pull
// miss a committed change (PROTOCOL.md "Pull", guarantee 1). The shared Redis is never flushed:
// a flush is simulated by deleting this server's prefix keys only.
import pg from 'pg';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsResponseSchema, newId, type StatsResponse } from '@duet/shared';
import { deleteRedisKeys, startTestServer, type TestServer } from './harness.ts';
import { account, clientOf, couple, type Account } from './support/accounts.ts';
import { bearer, describeResponse, pull, sleep } from './support/api.ts';
import { cacheCounters } from './support/metrics-scrape.ts';
import { Random } from './support/random.ts';
import { freshState, keyOf, snapshot, type SyncClient } from './support/sync-client.ts';

async function stats(server: TestServer, token: string): Promise<StatsResponse> {
  const res = await request(server.url).get('/api/stats').set('Authorization', bearer(token));
  expect(res.status, describeResponse(res)).toBe(200);
  return StatsResponseSchema.parse(res.body);
}

describe('the Redis cache', () => {
  let server: TestServer;
  const flushCache = () => deleteRedisKeys(server.redisPrefix);

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers a repeated empty pull from the cache, without touching Postgres', async () => {
    const who = await account(server, 'Reader');
    const client = clientOf(server, who, 'reader');
    client.mutate('conversation.create', { id: newId(), spaceId: who.personalSpaceId, title: 'one' });
    await client.push();
    await client.pull();
    const cursor = client.cursor as string;
    // One more pull at the same cursor so the token and the heads are surely cached.
    await pull(server, who.token, { clientId: client.clientId, cursor });

    const before = await cacheCounters(server);
    const REPEATS = 5;
    for (let i = 0; i < REPEATS; i++) {
      const page = await pull(server, who.token, { clientId: client.clientId, cursor });
      expect(page).toMatchObject({ cursor, changes: [], hasMore: false, lastMutationId: 1 });
      expect(page.reset ?? false).toBe(false);
    }
    const after = await cacheCounters(server);
    expect(after.pullHit - before.pullHit, 'every repeated empty pull is a pull-cache hit').toBe(REPEATS);
    expect(after.pullMiss - before.pullMiss).toBe(0);
    expect(after.pgCheckouts - before.pgCheckouts, 'no Postgres connection taken for a cached empty pull').toBe(0);
  });

  it('caches /api/stats and invalidates it on the next session write', async () => {
    const who = await account(server, 'Stats');
    const first = await stats(server, who.token);
    expect(first.sessionsLast7Days).toBe(0);

    const beforeRepeat = await cacheCounters(server);
    const second = await stats(server, who.token);
    const afterRepeat = await cacheCounters(server);
    expect(second).toEqual(first);
    expect(afterRepeat.statsHit - beforeRepeat.statsHit, 'the second stats call is a hit').toBe(1);
    expect(afterRepeat.pgCheckouts - beforeRepeat.pgCheckouts, 'a cached stats answer takes no Postgres connection').toBe(0);

    const client = clientOf(server, who, 'sessions');
    const now = Date.now();
    const sessionId = newId();
    client.mutate('session.start', { id: sessionId, startedAt: now - 10 * 60_000 });
    client.mutate('session.end', { id: sessionId, endedAt: now - 1000 });
    expect((await client.push()).results.map((r) => r.status)).toEqual(['applied', 'applied']);

    const beforeFresh = await cacheCounters(server);
    const fresh = await stats(server, who.token);
    const afterFresh = await cacheCounters(server);
    expect(afterFresh.statsMiss - beforeFresh.statsMiss, 'the session write invalidated the cached stats').toBe(1);
    expect(fresh.sessionsLast7Days).toBe(1);
    expect(fresh.currentStreak).toBe(1);
    expect(fresh.minutesLast7Days).toBeGreaterThanOrEqual(9);

    const again = await stats(server, who.token);
    expect(again).toEqual(fresh);
    expect((await cacheCounters(server)).statsHit - afterFresh.statsHit, 'and the new answer is cached in turn').toBe(1);
  });

  it('sees a change when the cache is flushed between the push and the pull', async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const reader = clientOf(server, ben, 'reader');
    await reader.pull();
    await reader.pull(); // cached "nothing new" at this cursor

    const writer = clientOf(server, ana, 'writer');
    const conversationId = newId();
    writer.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'before the flush' });
    await writer.push();
    await flushCache();
    await reader.pull();
    expect(reader.state.has(keyOf('conversation', conversationId))).toBe(true);
  });

  it('never lets a pull miss a change after flushes right after pushes, with many empty pulls in between', async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const reader = clientOf(server, ben, 'reader');
    const writers = [clientOf(server, ana, 'w1'), clientOf(server, ben, 'w2'), clientOf(server, ana, 'w3')];
    const conversationId = newId();
    const firstWriter = writers[0] as SyncClient;
    firstWriter.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'flushes' });
    await firstWriter.push();
    await reader.pull();

    const expected: string[] = [];
    for (let round = 0; round < 12; round++) {
      const writer = writers[round % writers.length] as SyncClient;
      const id = newId();
      writer.mutate('message.add', { id, conversationId, body: `round ${round}` });
      await writer.push();
      expected.push(id);
      if (round % 2 === 0) await flushCache();
      // Many pulls with nothing new: the first after a flush refills the cache from Postgres.
      for (let i = 0; i < 6; i++) {
        await reader.pull();
        expect(
          expected.filter((m) => !reader.state.has(keyOf('message', m))),
          `round ${round}, pull ${i}`,
        ).toEqual([]);
      }
      // Another client pushes; the very next pull must see it.
      const other = writers[(round + 1) % writers.length] as SyncClient;
      const otherId = newId();
      other.mutate('message.add', { id: otherId, conversationId, body: `other ${round}` });
      await other.push();
      expected.push(otherId);
      await reader.pull();
      expect(reader.state.has(keyOf('message', otherId)), `round ${round}: the push by another client after the cached pulls`).toBe(true);
    }
    expect(snapshot(reader.state)).toEqual(snapshot(await freshState(server, ben.token)));
  });

  it('never lets a pull miss a change when the cache is flushed while that push is committing', async () => {
    // A deferred constraint trigger makes COMMIT of this test's "slow-" client take 1.5 s, which
    // widens the window between the push's cache write (just before COMMIT) and the commit itself.
    const db = new pg.Client({ connectionString: server.databaseUrl });
    await db.connect();
    try {
      await db.query(`CREATE OR REPLACE FUNCTION duet_test_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_sleep(1.5); RETURN NULL; END $$`);
      await db.query(`DROP TRIGGER IF EXISTS duet_test_slow_commit ON clients`);
      await db.query(`CREATE CONSTRAINT TRIGGER duet_test_slow_commit AFTER UPDATE ON clients
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.client_id LIKE 'slow-%') EXECUTE FUNCTION duet_test_slow_commit()`);

      const { ana, ben, sharedSpaceId } = await couple(server);
      const setup = clientOf(server, ana, 'setup');
      const conversationId = newId();
      setup.mutate('conversation.create', { id: conversationId, spaceId: sharedSpaceId, title: 'slow' });
      await setup.push();
      const reader = clientOf(server, ben, 'reader');
      await reader.pull();
      await reader.pull();

      const slow = clientOf(server, ana, 'slow');
      const messageId = newId();
      slow.mutate('message.add', { id: messageId, conversationId, body: 'committed slowly' });
      const pushing = slow.push();
      // Wait until the push sits in its COMMIT (sleeping in the trigger): its cache write is done.
      const deadline = Date.now() + 10_000;
      for (;;) {
        const sleeping = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`,
        );
        if ((sleeping.rows[0]?.n ?? 0) > 0) break;
        if (Date.now() > deadline) throw new Error('the slow push never reached its COMMIT');
        await sleep(10);
      }
      // Redis restarts (here: this prefix is flushed) and a pull reads Postgres before the commit lands.
      await flushCache();
      await reader.pull();
      expect(reader.state.has(keyOf('message', messageId)), 'not committed yet').toBe(false);
      expect((await pushing).results.map((r) => r.status)).toEqual(['applied']);

      // Committed and acknowledged: every pull that begins now must see it. (A fresh full pull, made
      // only afterwards since it refills the cache from Postgres, shows that it is committed.)
      await reader.pull();
      const seenByReader = reader.state.has(keyOf('message', messageId));
      const committed = (await freshState(server, ben.token)).has(keyOf('message', messageId));
      expect(
        { seenByReader, committed },
        'a pull after the push was acknowledged sees its change (the cache must not answer "nothing new")',
      ).toEqual({ seenByReader: true, committed: true });
    } finally {
      await db.query(`DROP TRIGGER IF EXISTS duet_test_slow_commit ON clients`).catch(() => {});
      await db.end();
    }
  });

  it('never skips a change under concurrent pushes, with the cache on and repeated pulls in between', async () => {
    const { ana, ben, sharedSpaceId } = await couple(server);
    const random = new Random(20_260_401);
    const conversations = new Map<Account, string>([
      [ana, newId()],
      [ben, newId()],
    ]);
    const shared = newId();
    const setupAna = clientOf(server, ana, 'setup');
    setupAna.mutate('conversation.create', { id: shared, spaceId: sharedSpaceId, title: 'shared' });
    setupAna.mutate('conversation.create', { id: conversations.get(ana), spaceId: ana.personalSpaceId, title: 'ana' });
    await setupAna.push();
    const setupBen = clientOf(server, ben, 'setup');
    setupBen.mutate('conversation.create', { id: conversations.get(ben), spaceId: ben.personalSpaceId, title: 'ben' });
    await setupBen.push();

    const writers: Array<{ client: SyncClient; who: Account }> = [];
    for (let i = 0; i < 3; i++) writers.push({ client: clientOf(server, ana, `ana-w${i}`), who: ana });
    for (let i = 0; i < 2; i++) writers.push({ client: clientOf(server, ben, `ben-w${i}`), who: ben });
    const reader = clientOf(server, ben, 'ben-reader');
    const visible = new Set([sharedSpaceId, ben.personalSpaceId]);
    const acked: Array<{ id: string; spaceId: string }> = [];
    const before = await cacheCounters(server);

    async function write(client: SyncClient, who: Account): Promise<void> {
      for (let batch = 0; batch < 8; batch++) {
        const items: Array<{ id: string; spaceId: string }> = [];
        for (let m = 0; m < 4; m++) {
          const personal = random.chance(0.3);
          const id = newId();
          client.mutate('message.add', {
            id,
            conversationId: personal ? conversations.get(who) : shared,
            body: `${client.clientId} ${batch}.${m}`,
          });
          items.push({ id, spaceId: personal ? who.personalSpaceId : sharedSpaceId });
        }
        const answer = await client.push();
        expect(answer.results.every((r) => r.status === 'applied')).toBe(true);
        acked.push(...items);
        if (random.chance(0.5)) await sleep(random.int(0, 15));
      }
    }

    let catchUps = 0;
    async function read(done: () => boolean): Promise<void> {
      for (;;) {
        const finished = done();
        const required = acked.filter((m) => visible.has(m.spaceId));
        await reader.pull(random.int(2, 6));
        catchUps += 1;
        const missing = required.filter((m) => !reader.state.has(keyOf('message', m.id)));
        expect(missing, `skipped ${missing.length} of ${required.length} acknowledged messages`).toEqual([]);
        // Repeated pulls at the caught-up cursor: cache hits while nothing new, and still nothing skipped.
        for (let i = random.int(1, 3); i > 0; i--) {
          const again = acked.filter((m) => visible.has(m.spaceId));
          await reader.pull(random.int(2, 6));
          const stillMissing = again.filter((m) => !reader.state.has(keyOf('message', m.id)));
          expect(stillMissing, 'a repeated pull skipped an acknowledged change').toEqual([]);
        }
        if (finished) return;
      }
    }

    const started = Date.now();
    let done = false;
    const writing = Promise.all(writers.map((w) => write(w.client, w.who))).finally(() => {
      done = true;
    });
    await Promise.all([writing, read(() => done)]);
    expect(Date.now() - started).toBeLessThan(30_000);

    const after = await cacheCounters(server);
    expect(after.pullHit - before.pullHit, 'the cache answered some of the repeated pulls').toBeGreaterThan(0);
    expect(catchUps).toBeGreaterThan(1);
    const expected = acked
      .filter((m) => visible.has(m.spaceId))
      .map((m) => m.id)
      .sort();
    const held = [...reader.state.values()]
      .filter((c) => c.kind === 'message')
      .map((c) => c.id)
      .sort();
    expect(held).toEqual(expected);
    expect(snapshot(reader.state)).toEqual(snapshot(await freshState(server, ben.token)));
  }, 45_000);
});
