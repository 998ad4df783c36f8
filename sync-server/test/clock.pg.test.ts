/** The server's clock and ids are the ServerClock it is given, not the system's. */
import { monotonicIds } from '@duet/shared';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemTimers, type ServerClock } from '../src/clock.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { account, type Account } from './support/accounts.ts';
import { bearer, pull } from './support/api.ts';

// A day far from today, so no answer can match the system clock by chance.
const FAKE_NOW = Date.UTC(2031, 0, 2, 3, 4, 5);
const DAY_MS = 86_400_000;

describe('an injected server clock', () => {
  let server: TestServer;
  let ana: Account;
  const issued: string[] = [];

  beforeAll(async () => {
    const ids = monotonicIds(() => FAKE_NOW);
    const clock: ServerClock = {
      now: () => FAKE_NOW,
      newId: () => {
        const id = ids();
        issued.push(id);
        return id;
      },
      timers: systemTimers,
    };
    server = await startTestServer({ inviteTtlDays: 7 }, { clock });
    ana = await account(server, 'Ana');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('tells pulls its time and dates invites by it', async () => {
    const response = await pull(server, ana.token, { clientId: 'clock-client', cursor: null });
    expect(response.serverTime).toBe(FAKE_NOW);
    const invite = await request(server.url).post('/api/invites').set('Authorization', bearer(ana.token));
    expect(invite.status).toBe(201);
    expect((invite.body as { expiresAt: string }).expiresAt).toBe(new Date(FAKE_NOW + 7 * DAY_MS).toISOString());
  });

  it('names the user, the personal space and the device with its ids', () => {
    expect(issued).toContain(ana.userId);
    expect(issued).toContain(ana.personalSpaceId);
  });
});
