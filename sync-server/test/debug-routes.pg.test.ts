// The development-only debug endpoints (issue 13): refused unless in development mode or with the
// admin token; the caller's sync state against heads and the cache; the cache page.
import { newId } from '@duet/shared';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { bearer, expectError, pull, push } from './support/api.ts';
import { clientOf, couple } from './support/accounts.ts';

const ADMIN = 'debug-admin-token-0123456789';

describe('debug endpoints', () => {
  let production: TestServer;
  let development: TestServer;

  beforeAll(async () => {
    production = await startTestServer({ debug: { development: false, adminToken: ADMIN } });
    development = await startTestServer({ debug: { development: true, adminToken: null } });
  });
  afterAll(async () => {
    await production?.close();
    await development?.close();
  });

  it('are closed by default (no development mode, no admin token)', () => {
    expect(loadConfig({}).debug).toEqual({ development: false, adminToken: null });
    expect(loadConfig({ NODE_ENV: 'development' }).debug.development).toBe(true);
  });

  it('refuse a caller without the admin token, or with a wrong one, outside development', async () => {
    const c = await couple(production);
    expectError(await request(production.url).get('/api/debug/cache'), 403, 'forbidden');
    expectError(await request(production.url).get('/api/debug/cache').set('X-Debug-Token', `${ADMIN}x`), 403, 'forbidden');
    expectError(
      await request(production.url).get('/api/debug/sync-state?clientId=c1').set('Authorization', bearer(c.ana.token)),
      403,
      'forbidden',
    );
    const ok = await request(production.url).get('/api/debug/cache').set('X-Debug-Token', ADMIN);
    expect(ok.status).toBe(200);
  });

  it("shows the caller's cursor against the heads, lastMutationId and the cache's entries", async () => {
    const c = await couple(development);
    const client = clientOf(development, c.ana);
    await push(development, c.ana.token, client.clientId, [
      client.mutate('conversation.create', { id: newId(), spaceId: c.sharedSpaceId, title: 'Debug' }),
    ]);
    const first = await pull(development, c.ana.token, { clientId: client.clientId, cursor: null });
    const res = await request(development.url)
      .get('/api/debug/sync-state')
      .query({ clientId: client.clientId, cursor: first.cursor })
      .set('Authorization', bearer(c.ana.token));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.lastMutationId.postgres).toBe(1);
    expect(res.body.cursor).toBe('usable');
    const shared = (res.body.spaces as Array<{ id: string; head: number; behind: number; cachedHead: string | null }>).find(
      (s) => s.id === c.sharedSpaceId,
    );
    expect(shared?.behind).toBe(0);
    expect(Number(shared?.cachedHead)).toBe(shared?.head);
    expect(res.body.cache.entries[`spaces:${c.ana.userId}`]).toContain(c.sharedSpaceId);
  });

  it('answers 400 invalid_body for a bad clientId, and 401 without a token', async () => {
    const c = await couple(development);
    expectError(
      await request(development.url).get('/api/debug/sync-state?clientId=bad%20id').set('Authorization', bearer(c.ana.token)),
      400,
      'invalid_body',
    );
    expectError(await request(development.url).get('/api/debug/sync-state?clientId=c1'), 401, 'unauthorized');
  });

  it('shows the hit rate per cache and the key families', async () => {
    const c = await couple(development);
    const client = clientOf(development, c.ben);
    const page = await pull(development, c.ben.token, { clientId: client.clientId, cursor: null });
    await pull(development, c.ben.token, { clientId: client.clientId, cursor: page.cursor });
    const res = await request(development.url).get('/api/debug/cache');
    expect(res.status).toBe(200);
    expect(res.body.hitRate.token.hits).toBeGreaterThan(0);
    expect(res.body.hitRate.pull.ratio).toBeGreaterThan(0);
    expect(Object.keys(res.body.keys)).toContain('head:<space>');
    expect(res.body.usable).toBe(true);
  });
});
