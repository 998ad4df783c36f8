// Cache warming at start (cache/cache-warmer.ts): a server that starts with an empty cache (the
// in-process one, after a restart) answers a recently active device's first empty pull and token
// check from the cache, without Postgres; with warming off, the same pull goes to Postgres. A
// device that logged out before the restart is never warmed back in.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { loadConfig } from '../src/config.ts';
import { createTestDatabase, startTestServer } from './harness.ts';
import { account, clientOf, type Account } from './support/accounts.ts';
import { bearer, describeResponse, login, pull } from './support/api.ts';
import { cacheCounters } from './support/metrics-scrape.ts';

const warmDefaults = loadConfig({}).cacheWarm;

describe('cache warming at start', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let who: Account;
  let clientId: string;
  let cursor: string;
  let loggedOutToken: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const first = await startTestServer({ redisUrl: null }, { sharedDatabaseUrl: database.url });
    try {
      who = await account(first, 'Warm');
      const client = clientOf(first, who, 'warm');
      client.mutate('conversation.create', { id: newId(), spaceId: who.personalSpaceId, title: 'before the restart' });
      await client.push();
      await client.pull();
      clientId = client.clientId;
      cursor = client.cursor as string;
      const other = await login(first, who.email, who.password, 'old phone');
      const out = await request(first.url).post('/api/auth/logout').set('Authorization', bearer(other.token));
      expect(out.status, describeResponse(out)).toBe(204);
      loggedOutToken = other.token;
    } finally {
      await first.close();
    }
  });
  afterAll(async () => {
    await database?.drop();
  });

  // Unset (null): the in-process cache is warmed by default.
  for (const clients of [warmDefaults.clients, 0]) {
    const warmed = clients !== 0;
    it(`${warmed ? 'answers' : 'with warming off, does not answer'} the first empty pull after a restart from the cache`, async () => {
      const server = await startTestServer(
        { redisUrl: null, cacheWarm: { ...warmDefaults, clients } },
        { sharedDatabaseUrl: database.url },
      );
      try {
        const before = await cacheCounters(server);
        const page = await pull(server, who.token, { clientId, cursor });
        expect(page).toMatchObject({ cursor, changes: [], hasMore: false, lastMutationId: 1 });
        const after = await cacheCounters(server);
        expect(after.tokenHit - before.tokenHit, 'the token check').toBe(warmed ? 1 : 0);
        expect(after.pullHit - before.pullHit, 'the empty pull').toBe(warmed ? 1 : 0);
        if (warmed) expect(after.pgCheckouts - before.pgCheckouts, 'no Postgres connection taken').toBe(0);

        const revoked = await request(server.url).get('/api/me').set('Authorization', bearer(loggedOutToken));
        expect(revoked.status, `a logged-out device stays out: ${describeResponse(revoked)}`).toBe(401);
      } finally {
        await server.close();
      }
    });
  }
});
