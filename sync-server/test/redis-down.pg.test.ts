// "If Redis is down, every request still works from Postgres; /api/ready reports Redis as down"
// (ARCHITECTURE.md "Storage and cache"). The server runs against a redis-server of this test's own,
// which is killed, restarted and paused; the shared Redis of the machine is never touched.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StatsResponseSchema, newId, type StatsResponse } from '@duet/shared';
import { loadConfig, type Config } from '../src/config.ts';
import { startServer, type RunningServer } from '../src/server.ts';
import { createTestDatabase, signup } from './harness.ts';
import { bearer, describeResponse, expectError, login, me, personalSpaceId, sleep, type HasUrl } from './support/api.ts';
import { cacheCounters } from './support/metrics-scrape.ts';
import { killAllRedisProcesses, startRedisProcess, type RedisProcess } from './support/redis-process.ts';
import { SyncClient, keyOf } from './support/sync-client.ts';

const REDIS_DOWN_LOG = 'redis unavailable; working from Postgres';
const REDIS_BACK_LOG = 'redis is back';

/** Every log line the server writes, parsed. */
class LogCapture extends Writable {
  readonly lines: Array<{ level: number; msg?: string } & Record<string, unknown>> = [];

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim()) this.lines.push(JSON.parse(line) as { level: number; msg?: string });
    }
    done();
  }

  count(msg: string, after = 0): number {
    return this.lines.slice(after).filter((l) => l.msg === msg).length;
  }

  /** Lines at error level or above (pino: error 50, fatal 60). */
  errors(after = 0): string[] {
    return this.lines
      .slice(after)
      .filter((l) => l.level >= 50)
      .map((l) => JSON.stringify(l).slice(0, 300));
  }
}

interface Ready {
  status: number;
  postgresUp: boolean;
  redisUp: boolean;
}

async function ready(server: HasUrl): Promise<Ready> {
  const res = await request(server.url).get('/api/ready');
  const body = res.body as { postgres?: { up?: boolean }; redis?: { up?: boolean } };
  return { status: res.status, postgresUp: body.postgres?.up === true, redisUp: body.redis?.up === true };
}

async function waitForReady(server: HasUrl, redisUp: boolean, timeoutMs: number): Promise<Ready> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await ready(server);
    if (now.redisUp === redisUp) return now;
    if (Date.now() > deadline)
      throw new Error(`/api/ready did not report redis.up=${redisUp} within ${timeoutMs} ms: ${JSON.stringify(now)}`);
    await sleep(100);
  }
}

async function stats(server: HasUrl, token: string): Promise<StatsResponse> {
  const res = await request(server.url).get('/api/stats').set('Authorization', bearer(token));
  expect(res.status, describeResponse(res)).toBe(200);
  return StatsResponseSchema.parse(res.body);
}

async function expectRefused(server: HasUrl, token: string, what: string): Promise<void> {
  const res = await request(server.url).get('/api/me').set('Authorization', bearer(token));
  expect(res.status, `${what}: ${describeResponse(res)}`).toBe(401);
  expectError(res, 401, 'unauthorized');
}

describe('with Redis down', () => {
  let redis: RedisProcess;
  let server: RunningServer | undefined;
  let database: { url: string; drop(): Promise<void> } | undefined;
  const logs = new LogCapture();

  beforeAll(async () => {
    redis = await startRedisProcess();
    database = await createTestDatabase();
    const config: Config = {
      ...loadConfig({}),
      port: 0,
      host: '127.0.0.1',
      databaseUrl: database.url,
      redisUrl: redis.url,
      redisPrefix: `duet_test_${randomBytes(6).toString('hex')}:`,
      pgPoolMax: 8,
    };
    server = await startServer(config, pino({ level: 'info' }, logs));
  });
  afterAll(async () => {
    // The server first, while Redis may still answer; then every redis-server child, then the database.
    await server?.close();
    await killAllRedisProcesses();
    await database?.drop();
  });

  it('keeps push, pull, login and stats working from Postgres when Redis is killed, and resumes caching when it is back', async () => {
    const app = server as RunningServer;
    const created = await signup(app, { displayName: 'Resilient' });
    const spaceId = await personalSpaceId(app, created.token);
    const other = await login(app, created.email, created.password, 'second device');
    const leaving = await login(app, created.email, created.password, 'to be logged out');

    // Warm up every cache: token, pull heads, stats.
    const writer = new SyncClient(app, created.token, `writer-${newId()}`);
    const reader = new SyncClient(app, other.token, `reader-${newId()}`);
    const conversationId = newId();
    writer.mutate('conversation.create', { id: conversationId, spaceId, title: 'before' });
    await writer.push();
    await reader.pull();
    await reader.pull();
    await me(app, leaving.token);
    await stats(app, created.token);
    const warm = await cacheCounters(app);
    await stats(app, created.token);
    await reader.pull();
    const warmed = await cacheCounters(app);
    expect(warmed.statsHit - warm.statsHit, 'stats cached before the outage').toBe(1);
    expect(warmed.pullHit - warm.pullHit, 'pull cached before the outage').toBe(1);
    expect(await ready(app)).toEqual({ status: 200, postgresUp: true, redisUp: true });
    expect(logs.count(REDIS_DOWN_LOG)).toBe(0);

    // Redis dies without a goodbye.
    await redis.kill('SIGKILL');
    const outageStart = logs.lines.length;

    const messageId = newId();
    writer.mutate('message.add', { id: messageId, conversationId, body: 'written while Redis is down' });
    const sessionId = newId();
    const now = Date.now();
    writer.mutate('session.start', { id: sessionId, startedAt: now - 5 * 60_000 });
    writer.mutate('session.end', { id: sessionId, endedAt: now - 1000 });
    const pushed = await writer.push();
    expect(pushed.results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied']);

    await reader.pull();
    expect(reader.state.has(keyOf('message', messageId)), 'the pull during the outage sees the push').toBe(true);
    expect(reader.state.has(keyOf('session', sessionId))).toBe(true);

    const during = await stats(app, created.token);
    expect(during.sessionsLast7Days, 'stats during the outage reflect the new session').toBe(1);

    const fresh = await login(app, created.email, created.password, 'logged in during the outage');
    expect((await me(app, fresh.token)).user.id).toBe(created.user.id);
    const failed = await request(app.url).post('/api/auth/login').send({ email: created.email, password: 'wrong password' });
    expectError(failed, 401, 'invalid_credentials');

    const out = await request(app.url).post('/api/auth/logout').set('Authorization', bearer(leaving.token));
    expect(out.status, describeResponse(out)).toBe(204);
    await expectRefused(app, leaving.token, 'logged out during the outage');

    const duringOutage = await ready(app);
    expect(duringOutage, '/api/ready: 200, Postgres up, Redis down').toEqual({ status: 200, postgresUp: true, redisUp: false });

    // Many requests, and long enough for the client to retry the connection a few times.
    const retriesUntil = Date.now() + 4500;
    while (Date.now() < retriesUntil) {
      await reader.pull();
      await me(app, created.token);
      await sleep(100);
    }
    expect(logs.count(REDIS_DOWN_LOG, outageStart), 'Redis being down is logged once, not per request or per retry').toBe(1);
    expect(logs.errors(outageStart), 'no request failed').toEqual([]);

    // Redis comes back (empty: it keeps nothing on disk) on the same port.
    redis = await startRedisProcess(redis.port);
    const back = await waitForReady(app, true, 10_000);
    expect(back).toEqual({ status: 200, postgresUp: true, redisUp: true });
    const deadline = Date.now() + 5000;
    while (logs.count(REDIS_BACK_LOG, outageStart) === 0 && Date.now() < deadline) await sleep(50);
    expect(logs.count(REDIS_BACK_LOG, outageStart), 'the recovery is logged once').toBe(1);

    await expectRefused(app, leaving.token, 'a logout made while Redis was down is still honoured');
    expect((await me(app, fresh.token)).user.id).toBe(created.user.id);

    // Caching resumes: the pull and stats caches hit again.
    await reader.pull();
    await stats(app, created.token);
    const resumed = await cacheCounters(app);
    await reader.pull();
    await reader.pull();
    const after = await stats(app, created.token);
    const hits = await cacheCounters(app);
    expect(hits.pullHit - resumed.pullHit, 'pull cache hits again after Redis is back').toBe(2);
    expect(hits.statsHit - resumed.statsHit, 'stats cache hits again after Redis is back').toBe(1);
    expect(after.sessionsLast7Days).toBe(1);

    // And a change made now is still seen at once.
    const lastId = newId();
    writer.mutate('message.add', { id: lastId, conversationId, body: 'after the outage' });
    await writer.push();
    await reader.pull();
    expect(reader.state.has(keyOf('message', lastId))).toBe(true);
    expect(logs.errors(outageStart)).toEqual([]);
  }, 60_000);

  it('honours a logout and a push made while Redis was stalled, once it answers again', async () => {
    // A stall (SIGSTOP, e.g. a long fork or a network partition) times commands out without
    // closing the connection, so the client never sees a reconnect when Redis answers again.
    const app = server as RunningServer;
    await waitForReady(app, true, 10_000);
    const created = await signup(app, { displayName: 'Stalled' });
    const spaceId = await personalSpaceId(app, created.token);
    const other = await login(app, created.email, created.password, 'reader');
    const leaving = await login(app, created.email, created.password, 'to be logged out');
    const writer = new SyncClient(app, created.token, `writer-${newId()}`);
    const reader = new SyncClient(app, other.token, `reader-${newId()}`);
    const conversationId = newId();
    writer.mutate('conversation.create', { id: conversationId, spaceId, title: 'stall' });
    await writer.push();
    // Cache the token of the device to log out, and "nothing new" at the reader's cursor.
    await me(app, leaving.token);
    await me(app, leaving.token);
    await reader.pull();
    const before = await cacheCounters(app);
    await reader.pull();
    expect((await cacheCounters(app)).pullHit - before.pullHit, 'warm').toBe(1);

    redis.child.kill('SIGSTOP');
    let messageId: string;
    try {
      const out = await request(app.url).post('/api/auth/logout').set('Authorization', bearer(leaving.token));
      expect(out.status, describeResponse(out)).toBe(204);
      messageId = newId();
      writer.mutate('message.add', { id: messageId, conversationId, body: 'written while Redis stalled' });
      expect((await writer.push()).results.map((r) => r.status)).toEqual(['applied']);
    } finally {
      redis.child.kill('SIGCONT');
    }
    await waitForReady(app, true, 10_000);
    await sleep(500);

    await reader.pull();
    const sawPush = reader.state.has(keyOf('message', messageId));
    const me1 = await request(app.url).get('/api/me').set('Authorization', bearer(leaving.token));
    expect(
      { pullSeesPushMadeDuringStall: sawPush, logoutMadeDuringStall: me1.status },
      'after the stall: the pull sees the push, the logged-out token is refused',
    ).toEqual({ pullSeesPushMadeDuringStall: true, logoutMadeDuringStall: 401 });
  }, 60_000);
});
