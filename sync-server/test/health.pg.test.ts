// Health, readiness and metrics (PROTOCOL.md "Health").
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import pg from 'pg';
import { ADMIN_DATABASE_URL, signup, startTestServer, type TestServer } from './harness.ts';
import { describeResponse, expectError, expectRequestId, pull, push, pushRequest } from './support/api.ts';
import { hlcAt } from './support/sync-client.ts';

/** Reads "is it up" from a readiness entry, whatever its exact shape (true, "up", "ok", {up: true}, {status: "up"}). */
function isUp(entry: unknown): boolean | undefined {
  if (typeof entry === 'boolean') return entry;
  if (typeof entry === 'string')
    return ['up', 'ok', 'ready', 'connected'].includes(entry.toLowerCase())
      ? true
      : ['down', 'error', 'unavailable', 'disconnected'].includes(entry.toLowerCase())
        ? false
        : undefined;
  if (entry && typeof entry === 'object') {
    const o = entry as Record<string, unknown>;
    for (const key of ['up', 'ok', 'ready', 'status', 'state']) if (key in o) return isUp(o[key]);
  }
  return undefined;
}

/** Finds a readiness entry by name anywhere one level down (e.g. body.postgres or body.checks.postgres). */
function entryOf(body: Record<string, unknown>, name: RegExp): unknown {
  for (const [key, value] of Object.entries(body)) if (name.test(key)) return value;
  for (const value of Object.values(body)) {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) if (name.test(key)) return inner;
    }
  }
  return undefined;
}

describe('health, readiness and metrics', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('answers GET /api/health with 200 {status: "ok"} and no auth', async () => {
    const res = await request(server.url).get('/api/health');
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
    expectRequestId(res);
  });

  it('answers GET /api/ready with 200, Postgres up and the state of Redis', async () => {
    const res = await request(server.url).get('/api/ready');
    expect(res.status, describeResponse(res)).toBe(200);
    const body = res.body as Record<string, unknown>;
    const postgres = entryOf(body, /postgres|pg|database/i);
    const redis = entryOf(body, /redis|cache/i);
    expect(postgres, `a Postgres entry in ${JSON.stringify(body)}`).toBeDefined();
    expect(redis, `a Redis entry in ${JSON.stringify(body)}`).toBeDefined();
    expect(isUp(postgres), `Postgres reported up in ${JSON.stringify(body)}`).toBe(true);
    // The test server runs on the machine's real Redis.
    expect(isUp(redis), `Redis reported up in ${JSON.stringify(body)}`).toBe(true);
  });

  it('serves Prometheus text at /metrics with a request duration histogram and push/pull counters', async () => {
    const account = await signup(server);
    const clientId = `metrics-${newId()}`;
    const personal = (await request(server.url).get('/api/me').set('Authorization', `Bearer ${account.token}`)).body.spaces[0].id as string;
    await push(server, account.token, clientId, [
      { id: 1, name: 'conversation.create', args: { id: newId(), spaceId: personal, title: 'Metrics' }, hlc: hlcAt(Date.now(), clientId) },
    ]);
    await pull(server, account.token, { clientId, cursor: null });

    const res = await request(server.url).get('/metrics');
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.headers['content-type'] ?? '').toMatch(/^text\/plain/);
    expectRequestId(res);
    const text = res.text;
    // A histogram of request durations, with buckets, a sum and a count.
    const histogram = /^# TYPE (\S*(?:request|http)\S*duration\S*) histogram$/m.exec(text);
    expect(histogram, 'a request duration histogram').not.toBeNull();
    const name = histogram?.[1] as string;
    expect(text).toMatch(new RegExp(`^${name}_bucket\\{.*le="\\+Inf".*\\} \\d+`, 'm'));
    expect(text).toMatch(new RegExp(`^${name}_count(\\{.*\\})? \\d+`, 'm'));
    expect(text).toMatch(new RegExp(`^${name}_sum(\\{.*\\})? [\\d.e+-]+`, 'm'));
    // Counters for push and pull that have counted what we just did.
    for (const what of ['push', 'pull']) {
      const counters = [...text.matchAll(new RegExp(`^# TYPE (\\S*${what}\\S*) counter$`, 'gm'))].map((m) => m[1] as string);
      expect(counters.length, `a ${what} counter`).toBeGreaterThan(0);
      let counted = 0;
      for (const counter of counters) {
        const series = new RegExp(`^${counter}(?:_total)?(\\{[^}]*\\})? ([\\d.e+]+)$`, 'gm');
        for (const m of text.matchAll(series)) counted += Number(m[2]);
      }
      expect(counted, `${what} counters have counted`).toBeGreaterThan(0);
    }
  });
});

describe('when Postgres is gone', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports not ready (503) and answers 503 unavailable, never a 500, while liveness stays 200', async () => {
    const account = await signup(server);
    const clientId = `gone-${newId()}`;
    const personal = (await request(server.url).get('/api/me').set('Authorization', `Bearer ${account.token}`)).body.spaces[0].id as string;
    await push(server, account.token, clientId, [
      { id: 1, name: 'conversation.create', args: { id: newId(), spaceId: personal, title: 'Before' }, hlc: hlcAt(Date.now(), clientId) },
    ]);

    // Take the server's database away under it.
    const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`DROP DATABASE ${new URL(server.databaseUrl).pathname.slice(1)} WITH (FORCE)`);
    } finally {
      await admin.end();
    }

    const ready = await request(server.url).get('/api/ready');
    expect(ready.status, describeResponse(ready)).toBe(503);
    const body = ready.body as Record<string, unknown>;
    expect(isUp(entryOf(body, /postgres|pg|database/i)), `Postgres reported down in ${JSON.stringify(body)}`).toBe(false);

    expect((await request(server.url).get('/api/health')).status).toBe(200);

    const pushed = await pushRequest(server, account.token, {
      clientId,
      mutations: [
        { id: 2, name: 'conversation.create', args: { id: newId(), spaceId: personal, title: 'After' }, hlc: hlcAt(Date.now(), clientId) },
      ],
    });
    // The token may still be cached (then the push itself fails) or not (then authentication fails): either way 503.
    expectError(pushed, 503, 'unavailable');
    expectError(
      await request(server.url).post('/api/auth/login').send({ email: account.email, password: account.password }),
      503,
      'unavailable',
    );
  });
});
