// Clients say which protocol version they speak; a version the server no longer serves is refused
// with a permanent 426 unsupported_protocol (the app then asks the person to update).
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIN_SUPPORTED_PROTOCOL_VERSION, PROTOCOL_HEADER, PROTOCOL_VERSION } from '@duet/shared';
import { signup, type TestServer } from './harness.ts';
import { startWithAccounts } from './support/accounts.ts';
import { bearer, describeResponse, expectError } from './support/api.ts';

describe('the protocol version header', () => {
  let server: TestServer;
  let token: string;

  beforeAll(async () => {
    ({ server, accounts: token } = await startWithAccounts(async (started) => (await signup(started)).token));
  });
  afterAll(async () => {
    await server?.close();
  });

  const me = (version?: string) => {
    const call = request(server.url).get('/api/me').set('Authorization', bearer(token));
    return version === undefined ? call : call.set(PROTOCOL_HEADER, version);
  };

  it('serves the current version and clients that send none', async () => {
    expect((await me(String(PROTOCOL_VERSION))).status).toBe(200);
    expect((await me()).status).toBe(200);
  });

  it('serves a client newer than the server', async () => {
    const res = await me(String(PROTOCOL_VERSION + 1));
    expect(res.status, describeResponse(res)).toBe(200);
  });

  it('refuses a version older than the oldest it serves with 426 unsupported_protocol', async () => {
    const res = await me(String(MIN_SUPPORTED_PROTOCOL_VERSION - 1));
    expectError(res, 426, 'unsupported_protocol');
    expect(res.body.error.details).toEqual({ min: MIN_SUPPORTED_PROTOCOL_VERSION, current: PROTOCOL_VERSION });
    expect(res.headers['retry-after']).toBeUndefined();
  });

  it('answers a header that is not a number with 400 invalid_body', async () => {
    expectError(await me('one'), 400, 'invalid_body');
  });

  it('does not ask for it on health checks', async () => {
    const res = await request(server.url).get('/api/health').set(PROTOCOL_HEADER, '0');
    expect(res.status).toBe(200);
  });
});
