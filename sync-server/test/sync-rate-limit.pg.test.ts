// Push and pull floods on the real Postgres and Redis: past its allowance a device gets 429
// rate_limited with Retry-After (and details.retryAfterSec), nothing of the refused push is applied,
// other devices of the same user keep syncing, and the allowance holds across instances.
import { newId } from '@duet/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './harness.ts';
import { account, type Account } from './support/accounts.ts';
import { expectError, login, pull, pullRequest, push, pushRequest } from './support/api.ts';
import { hlcAt } from './support/sync-client.ts';

const PUSHES = 5;
const PULLS = 8;
const WINDOW_SEC = 60;

function sessionStart(id: number, clientId: string) {
  return {
    id,
    name: 'session.start',
    args: { id: newId(), startedAt: 1_700_000_000_000 + id },
    hlc: hlcAt(1_700_000_000_000 + id, clientId),
  };
}

function expectRetryAfter(res: { headers: Record<string, string>; body: { error: { details?: { retryAfterSec?: unknown } } } }): void {
  const header = Number(res.headers['retry-after']);
  expect(Number.isInteger(header) && header >= 1 && header <= WINDOW_SEC, `Retry-After: ${res.headers['retry-after']}`).toBe(true);
  expect(res.body.error.details?.retryAfterSec).toBe(header);
}

describe('per-device rate limits on push and pull', () => {
  let server: TestServer;
  let twin: TestServer;
  let ana: Account;

  beforeAll(async () => {
    const syncRateLimit = { pushPerDevice: PUSHES, pullPerDevice: PULLS, windowSec: WINDOW_SEC };
    server = await startTestServer({ syncRateLimit });
    // A second instance on the same database and Redis prefix: the allowance is shared.
    twin = await startTestServer({ syncRateLimit }, { sharedDatabaseUrl: server.databaseUrl, redisPrefix: server.redisPrefix });
    ana = await account(server, 'Ana');
  });
  afterAll(async () => {
    await twin?.close();
    await server?.close();
  });

  it('answers 429 with Retry-After once a device has used its pushes, and applies nothing of the refused push', async () => {
    const device = await login(server, ana.email, ana.password, 'flooding phone');
    const clientId = `flood-${newId()}`;
    for (let id = 1; id <= PUSHES; id++) {
      const answer = await push(server, device.token, clientId, [sessionStart(id, clientId)]);
      expect(answer.lastMutationId).toBe(id);
    }
    const refused = await pushRequest(server, device.token, { clientId, mutations: [sessionStart(PUSHES + 1, clientId)] });
    expectError(refused, 429, 'rate_limited');
    expectRetryAfter(refused);
    // The other instance counts the same allowance.
    expectError(await pushRequest(twin, device.token, { clientId, mutations: [sessionStart(PUSHES + 1, clientId)] }), 429, 'rate_limited');

    // Another device of the same user is not held back, and sees nothing of the refused push.
    const other = await login(server, ana.email, ana.password, 'laptop');
    const page = await pull(server, other.token, { clientId: `other-${newId()}`, cursor: null });
    const sessions = page.changes.filter((c) => c.kind === 'session');
    expect(sessions).toHaveLength(PUSHES);
    const answer = await push(server, other.token, clientId, [sessionStart(PUSHES + 1, clientId)]);
    expect(answer.results[0]?.status).toBe('applied');
  });

  it('answers 429 with Retry-After once a device has used its pulls, on every instance', async () => {
    const device = await login(server, ana.email, ana.password, 'polling phone');
    const clientId = `poll-${newId()}`;
    for (let i = 0; i < PULLS; i++) await pull(i % 2 === 0 ? server : twin, device.token, { clientId, cursor: null });
    for (const instance of [server, twin]) {
      const refused = await pullRequest(instance, device.token, { clientId, cursor: null });
      expectError(refused, 429, 'rate_limited');
      expectRetryAfter(refused);
    }
    // Pushes have their own allowance.
    expect((await push(server, device.token, clientId, [sessionStart(1, clientId)])).lastMutationId).toBe(1);
  });
});
