// Operations (issue 13): each named query timed on /metrics and slow ones logged, Server-Timing on
// API answers, the request timeout (a 503 that never hides an applied push), cache hit ratios per
// cache, and gzip only where it pays (pull pages).
import { Writable } from 'node:stream';
import { newId } from '@duet/shared';
import pg from 'pg';
import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { bearer, expectError, pull, push, pushRequest, sleep } from './support/api.ts';
import { clientOf, couple } from './support/accounts.ts';
import { sampleValue, scrapeMetrics } from './support/metrics-scrape.ts';

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'warn' }, stream), lines };
}

describe('request timing', () => {
  let server: TestServer;
  const log = capturedLogger();

  beforeAll(async () => {
    // Every query counts as slow here, so the log line can be checked.
    server = await startTestServer({ dbSlowQueryMs: 1 }, { logger: log.logger });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('says where the time of an API answer went: Server-Timing with db, cache and total', async () => {
    const c = await couple(server);
    const res = await request(server.url).get('/api/me').set('Authorization', bearer(c.ana.token));
    expect(res.status).toBe(200);
    const timing = String(res.headers['server-timing']);
    const parts = Object.fromEntries(timing.split(',').map((p) => [p.trim().split(';')[0], Number(/dur=([\d.]+)/.exec(p)?.[1])]));
    expect(Object.keys(parts)).toEqual(['db', 'cache', 'total']);
    // /me reads Postgres; the token was just cached by signup's first call, or read from Postgres: some db time either way.
    expect(parts.db).toBeGreaterThan(0);
    expect(parts.total).toBeGreaterThanOrEqual(parts.db as number);
  });

  it('times each named query on /metrics, and logs slow ones with name and duration', async () => {
    const c = await couple(server);
    const client = clientOf(server, c.ana);
    await push(server, c.ana.token, client.clientId, [
      client.mutate('conversation.create', { id: newId(), spaceId: c.sharedSpaceId, title: 'T' }),
    ]);
    const text = await scrapeMetrics(server);
    expect(sampleValue(text, 'duet_db_query_duration_seconds_count', { query: 'duet_push_begin' })).toBeGreaterThan(0);
    expect(sampleValue(text, 'duet_db_query_duration_seconds_count', { query: 'push_end' })).toBeGreaterThan(0);
    const slow = log.lines.filter((l) => l.msg === 'slow query');
    expect(slow.map((l) => l.query)).toContain('duet_push_begin');
    expect(slow.every((l) => typeof l.ms === 'number')).toBe(true);
  });

  it('reports a hit ratio per cache (token, spaces, heads, pull)', async () => {
    const c = await couple(server);
    const client = clientOf(server, c.ben);
    let cursor: string | null = null;
    for (let i = 0; i < 3; i++) cursor = (await pull(server, c.ben.token, { clientId: client.clientId, cursor })).cursor;
    const text = await scrapeMetrics(server);
    for (const cache of ['token', 'spaces', 'heads', 'pull']) {
      const ratio = sampleValue(text, 'duet_cache_hit_ratio', { cache });
      expect(ratio, cache).toBeGreaterThan(0);
      expect(ratio, cache).toBeLessThanOrEqual(1);
    }
  });

  it('gzips pull pages but not push answers', async () => {
    const c = await couple(server);
    const client = clientOf(server, c.ana);
    const conversationId = newId();
    const batch = [client.mutate('conversation.create', { id: conversationId, spaceId: c.sharedSpaceId, title: 'Big' })];
    for (let i = 0; i < 120; i++) batch.push(client.mutate('message.add', { id: newId(), conversationId, body: `message ${i}` }));
    const pushed = await pushRequest(server, c.ana.token, { clientId: client.clientId, mutations: batch }).set('Accept-Encoding', 'gzip');
    expect(pushed.status).toBe(200);
    expect(Number(pushed.headers['content-length'] ?? pushed.text.length)).toBeGreaterThan(1024);
    expect(pushed.headers['content-encoding']).toBeUndefined();
    const pulled = await request(server.url)
      .post('/api/sync/pull')
      .set('Authorization', bearer(c.ana.token))
      .set('Accept-Encoding', 'gzip')
      .send({ clientId: client.clientId, cursor: null });
    expect(pulled.status).toBe(200);
    expect(pulled.headers['content-encoding']).toBe('gzip');
  });
});

describe('request timeout', () => {
  // Accounts are made on a server without the short timeout (signup's scrypt may take longer on a
  // busy machine); `server` shares its database and cache and answers within 400 ms or 503.
  let accounts: TestServer;
  let server: TestServer;

  beforeAll(async () => {
    accounts = await startTestServer();
    server = await startTestServer(
      { httpRequestTimeoutMs: 400, pgTimeouts: { connectMs: 5000, statementMs: 10_000, lockMs: 10_000, idleInTransactionMs: 20_000 } },
      { sharedDatabaseUrl: accounts.databaseUrl, redisPrefix: accounts.redisPrefix },
    );
  });
  afterAll(async () => {
    await server?.close();
    await accounts?.close();
  });

  it('answers 503 with Retry-After when a push waits too long, and the push is not applied', async () => {
    const c = await couple(accounts);
    const client = clientOf(server, c.ana);
    // Another writer holds the shared space's row lock for 1.5 s: the push waits behind it.
    const holder = new pg.Client({ connectionString: server.databaseUrl });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('SELECT 1 FROM spaces WHERE id = $1 FOR UPDATE', [c.sharedSpaceId]);
    const released = sleep(1500).then(async () => {
      await holder.query('ROLLBACK');
      await holder.end();
    });
    const started = Date.now();
    const res = await pushRequest(server, c.ana.token, {
      clientId: client.clientId,
      mutations: [client.mutate('conversation.create', { id: newId(), spaceId: c.sharedSpaceId, title: 'Late' })],
    });
    expectError(res, 503, 'unavailable');
    expect(res.headers['retry-after']).toBeDefined();
    expect(Date.now() - started).toBeLessThan(1400);
    await released;
    // The push went on once the lock was free, and rolled back instead of committing.
    await sleep(500);
    const state = await pull(server, c.ana.token, { clientId: client.clientId, cursor: null });
    expect(state.lastMutationId).toBe(0);
    expect(state.changes.filter((ch) => ch.kind === 'conversation')).toHaveLength(0);
  });

  it('answers a quick request as usual', async () => {
    const c = await couple(accounts);
    const res = await request(server.url).get('/api/me').set('Authorization', bearer(c.ana.token));
    expect(res.status).toBe(200);
  });
});
