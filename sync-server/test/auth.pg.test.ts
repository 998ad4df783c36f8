// Accounts and devices (PROTOCOL.md "Accounts and devices", "Errors"), black-box over HTTP.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponseSchema, MeResponseSchema, newId } from '@duet/shared';
import { signup, startTestServer, type TestServer } from './harness.ts';
import { bearer, describeResponse, expectError, expectRequestId, login, me } from './support/api.ts';
import { deviceCookie, expectRateLimited, fromIp } from './support/rate-limits.ts';
import type { Config } from '../src/config.ts';

const uniqueEmail = (tag = 'user') => `${tag}-${newId().toLowerCase()}@example.test`;
const PASSWORD = 'correct horse battery';

describe('auth', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('signup', () => {
    it('answers 201 {token, deviceId, user} and the token works at once', async () => {
      const email = uniqueEmail();
      const res = await request(server.url)
        .post('/api/auth/signup')
        .send({ email, password: PASSWORD, displayName: 'Ana', locale: 'es-MX', timeZone: 'America/Mexico_City' });
      expect(res.status, describeResponse(res)).toBe(201);
      expectRequestId(res);
      const body = AuthResponseSchema.parse(res.body);
      expect(body.token.length).toBeGreaterThanOrEqual(20);
      expect(body.user).toMatchObject({ email, displayName: 'Ana', locale: 'es-MX', timeZone: 'America/Mexico_City' });

      const mine = await me(server, body.token);
      expect(mine.user).toEqual(body.user);
    });

    it('gives the new user exactly one personal space with only them in it', async () => {
      const { token, user } = await signup(server, { displayName: 'Solo' });
      const mine = await me(server, token);
      expect(mine.spaces).toHaveLength(1);
      expect(mine.spaces[0]).toMatchObject({ kind: 'personal', members: [{ userId: user.id, displayName: 'Solo' }] });
    });

    it('treats email case-insensitively: the same address in other case is taken (409 email_taken)', async () => {
      const local = `Mixed.Case-${newId()}`;
      const first = await request(server.url)
        .post('/api/auth/signup')
        .send({ email: `${local}@Example.TEST`, password: PASSWORD, displayName: 'First' });
      expect(first.status, describeResponse(first)).toBe(201);
      expect(AuthResponseSchema.parse(first.body).user.email.toLowerCase()).toBe(`${local}@example.test`.toLowerCase());

      const again = await request(server.url)
        .post('/api/auth/signup')
        .send({ email: `${local.toUpperCase()}@example.test`, password: 'another password', displayName: 'Second' });
      expectError(again, 409, 'email_taken');

      const loggedIn = await login(server, `${local.toLowerCase()}@EXAMPLE.test`, PASSWORD);
      expect(loggedIn.user.id).toBe(AuthResponseSchema.parse(first.body).user.id);
    });

    it('answers 409 email_taken for an address already registered', async () => {
      const { email } = await signup(server);
      const res = await request(server.url).post('/api/auth/signup').send({ email, password: PASSWORD, displayName: 'Dup' });
      expectError(res, 409, 'email_taken');
    });

    it('rejects a password shorter than 8 characters with 400 invalid_body', async () => {
      const res = await request(server.url)
        .post('/api/auth/signup')
        .send({ email: uniqueEmail(), password: '1234567', displayName: 'Short' });
      expectError(res, 400, 'invalid_body');
    });

    it('accepts a password of exactly 8 characters', async () => {
      const res = await request(server.url)
        .post('/api/auth/signup')
        .send({ email: uniqueEmail(), password: '12345678', displayName: 'Eight' });
      expect(res.status, describeResponse(res)).toBe(201);
    });

    it.each([
      ['no email', { password: PASSWORD, displayName: 'X' }],
      ['not an email', { email: 'not-an-email', password: PASSWORD, displayName: 'X' }],
      ['no displayName', { email: 'x-missing-name@example.test', password: PASSWORD }],
      ['password not a string', { email: 'x-num@example.test', password: 12345678, displayName: 'X' }],
      ['unknown time zone', { email: 'x-tz@example.test', password: PASSWORD, displayName: 'X', timeZone: 'Mars/Olympus' }],
    ])('rejects a signup with %s: 400 invalid_body', async (_name, body) => {
      const res = await request(server.url).post('/api/auth/signup').send(body);
      expectError(res, 400, 'invalid_body');
    });
  });

  describe('login', () => {
    it('answers 200 {token, deviceId, user} with the same user as signup', async () => {
      const account = await signup(server, { displayName: 'Login' });
      const res = await request(server.url)
        .post('/api/auth/login')
        .send({ email: account.email, password: account.password, deviceName: 'phone' });
      expect(res.status, describeResponse(res)).toBe(200);
      expectRequestId(res);
      const body = AuthResponseSchema.parse(res.body);
      expect(body.user).toEqual(account.user);
    });

    it('creates a new device with its own token at each login', async () => {
      const account = await signup(server);
      const a = await login(server, account.email, account.password);
      const b = await login(server, account.email, account.password);
      const devices = new Set([account.deviceId, a.deviceId, b.deviceId]);
      const tokens = new Set([account.token, a.token, b.token]);
      expect(devices.size).toBe(3);
      expect(tokens.size).toBe(3);
      for (const token of tokens) expect((await me(server, token)).user.id).toBe(account.user.id);
    });

    it('accepts the email in any case', async () => {
      const account = await signup(server);
      const res = await login(server, account.email.toUpperCase(), account.password);
      expect(res.user.id).toBe(account.user.id);
    });

    it('answers 401 invalid_credentials identically for an unknown email and a wrong password', async () => {
      const account = await signup(server);
      const wrongPassword = await request(server.url).post('/api/auth/login').send({ email: account.email, password: 'wrong password!' });
      const unknownEmail = await request(server.url)
        .post('/api/auth/login')
        .send({ email: uniqueEmail('nobody'), password: 'wrong password!' });
      expectError(wrongPassword, 401, 'invalid_credentials');
      expectError(unknownEmail, 401, 'invalid_credentials');
      expect(unknownEmail.body).toEqual(wrongPassword.body);
      expect(unknownEmail.headers['retry-after']).toBe(wrongPassword.headers['retry-after']);
    });

    it('answers 400 invalid_body for a login without a password', async () => {
      const res = await request(server.url).post('/api/auth/login').send({ email: uniqueEmail() });
      expectError(res, 400, 'invalid_body');
    });
  });

  describe('me and bearer tokens', () => {
    it('answers GET /api/me with {user, spaces}', async () => {
      const account = await signup(server, { displayName: 'Me', timeZone: 'Europe/Madrid' });
      const res = await request(server.url).get('/api/me').set('Authorization', bearer(account.token));
      expect(res.status, describeResponse(res)).toBe(200);
      expectRequestId(res);
      const body = MeResponseSchema.parse(res.body);
      expect(body.user).toEqual(account.user);
      expect(body.user.timeZone).toBe('Europe/Madrid');
    });

    it.each([
      ['no Authorization header', undefined],
      ['an empty bearer', 'Bearer '],
      ['a garbage bearer', 'Bearer garbage'],
      ['a well-formed but unknown token', `Bearer ${'a'.repeat(43)}`],
      ['another scheme', 'Basic dXNlcjpwYXNz'],
    ])('answers 401 unauthorized with %s', async (_name, header) => {
      let call = request(server.url).get('/api/me');
      if (header !== undefined) call = call.set('Authorization', header);
      expectError(await call, 401, 'unauthorized');
    });

    it.each([
      ['POST', '/api/sync/push'],
      ['POST', '/api/sync/pull'],
      ['POST', '/api/invites'],
      ['POST', '/api/invites/accept'],
      ['POST', '/api/auth/logout'],
      ['GET', '/api/stats'],
    ])('guards %s %s with 401 unauthorized', async (method, path) => {
      const call = method === 'GET' ? request(server.url).get(path) : request(server.url).post(path).send({});
      expectError(await call.set('Authorization', 'Bearer not-a-real-token-at-all-xxxxxxxx'), 401, 'unauthorized');
    });
  });

  describe('logout', () => {
    it('answers 204 and revokes the token at once, leaving other devices signed in', async () => {
      const account = await signup(server);
      const other = await login(server, account.email, account.password);

      const res = await request(server.url).post('/api/auth/logout').set('Authorization', bearer(account.token));
      expect(res.status, describeResponse(res)).toBe(204);
      expectRequestId(res);

      expectError(await request(server.url).get('/api/me').set('Authorization', bearer(account.token)), 401, 'unauthorized');
      expectError(
        await request(server.url).post('/api/sync/pull').set('Authorization', bearer(account.token)).send({ clientId: 'c1', cursor: null }),
        401,
        'unauthorized',
      );
      expectError(await request(server.url).post('/api/auth/logout').set('Authorization', bearer(account.token)), 401, 'unauthorized');
      expect((await me(server, other.token)).user.id).toBe(account.user.id);
    });

    it('revokes a token that was just used (no stale cached lookup)', async () => {
      const account = await signup(server);
      // Warm any token cache, then log out and use the token again straight away.
      for (let i = 0; i < 3; i++) await me(server, account.token);
      const out = await request(server.url).post('/api/auth/logout').set('Authorization', bearer(account.token));
      expect(out.status, describeResponse(out)).toBe(204);
      const after = await Promise.all([1, 2, 3].map(() => request(server.url).get('/api/me').set('Authorization', bearer(account.token))));
      for (const res of after) expectError(res, 401, 'unauthorized');
    });
  });

  it('puts X-Request-Id on every response, success or error', async () => {
    const account = await signup(server);
    const responses = await Promise.all([
      request(server.url).get('/api/health'),
      request(server.url).get('/api/me').set('Authorization', bearer(account.token)),
      request(server.url).get('/api/me'),
      request(server.url).post('/api/auth/login').send({ email: account.email, password: 'nope nope nope' }),
      request(server.url).get('/api/no-such-route'),
    ]);
    for (const res of responses) expectRequestId(res);
    const ids = responses.map((r) => r.headers['x-request-id']);
    expect(new Set(ids).size, 'request ids are unique').toBe(ids.length);
  });
});

/** Login limits for a test: everything generous except what the test sets. */
function loginLimits(limits: Partial<Config['loginRateLimit']>): Config['loginRateLimit'] {
  return { perEmailIp: 1000, perIp: 1000, perDevice: 1000, windowSec: 60, perEmail: 1000, emailWindowSec: 120, ...limits };
}

const wrongLogin = (server: TestServer, email: string, i: number, headers: Record<string, string> = {}) =>
  request(server.url)
    .post('/api/auth/login')
    .set(headers)
    .send({ email, password: `wrong-${i}-password` });

describe('login rate limits', () => {
  describe('per email and IP', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ loginRateLimit: loginLimits({ perEmailIp: 3 }) });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('answers 429 rate_limited with Retry-After and details.retryAfterSec once an email has had its failed logins from one address', async () => {
      const account = await signup(server);
      for (let i = 0; i < 3; i++) expectError(await wrongLogin(server, account.email, i), 401, 'invalid_credentials');
      expectRateLimited(await wrongLogin(server, account.email, 3), 60);

      // The same email in another case is the same email.
      const upper = await request(server.url)
        .post('/api/auth/login')
        .send({ email: account.email.toUpperCase(), password: 'wrong-upper-password' });
      expectRateLimited(upper, 60);
    });

    it('cannot be outrun by sending the failed logins all at once', async () => {
      const account = await signup(server);
      const attempts = await Promise.all(Array.from({ length: 15 }, (_, i) => wrongLogin(server, account.email, i)));
      const statuses = attempts.map((r) => r.status);
      for (const res of attempts) expect([401, 429], describeResponse(res)).toContain(res.status);
      // Only perEmailIp (3) password guesses may be evaluated; the rest must be turned away.
      expect(statuses.filter((s) => s === 401).length, `statuses: ${statuses.join(',')}`).toBeLessThanOrEqual(3);
    });

    it('limits each email on its own', async () => {
      const blocked = await signup(server);
      const other = await signup(server);
      for (let i = 0; i < 4; i++) await wrongLogin(server, blocked.email, i);
      expectError(await wrongLogin(server, other.email, 0), 401, 'invalid_credentials');
      expect((await login(server, other.email, other.password)).user.id).toBe(other.user.id);
    });

    it('limits each address on its own: the owner elsewhere still logs in, even from a new device', async () => {
      const account = await signup(server);
      for (let i = 0; i < 4; i++) await wrongLogin(server, account.email, i, fromIp('203.0.113.10'));
      expectRateLimited(await wrongLogin(server, account.email, 5, fromIp('203.0.113.10')), 60);
      const owner = await request(server.url)
        .post('/api/auth/login')
        .set(fromIp('198.51.100.20'))
        .send({ email: account.email, password: account.password });
      expect(owner.status, describeResponse(owner)).toBe(200);
    });

    it('does not count successful logins', async () => {
      const account = await signup(server);
      for (let i = 0; i < 6; i++) {
        const res = await login(server, account.email, account.password);
        expect(res.user.id).toBe(account.user.id);
      }
    });
  });

  describe('per IP', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ loginRateLimit: loginLimits({ perIp: 4, windowSec: 120 }) });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('answers 429 rate_limited with Retry-After once one address has had its failed logins, whatever the email', async () => {
      for (let i = 0; i < 4; i++) expectError(await wrongLogin(server, uniqueEmail(`ip${i}`), i), 401, 'invalid_credentials');
      expectRateLimited(await wrongLogin(server, uniqueEmail('ip-last'), 9), 120);
    });
  });

  describe('the owner is never locked out by someone else', () => {
    let server: TestServer;
    beforeAll(async () => {
      // The defaults, except a per-email limit low enough to reach from a handful of addresses.
      server = await startTestServer({
        loginRateLimit: { perEmailIp: 10, perIp: 50, perDevice: 10, windowSec: 900, perEmail: 15, emailWindowSec: 3600 },
      });
    });
    afterAll(async () => {
      await server?.close();
    });

    async function ownerWithKnownDevice() {
      const email = uniqueEmail('owner');
      const created = await request(server.url).post('/api/auth/signup').send({ email, password: PASSWORD, displayName: 'Owner' });
      expect(created.status, describeResponse(created)).toBe(201);
      return { email, cookie: deviceCookie(created) };
    }

    const ownerLogin = (email: string, cookie: string) =>
      request(server.url).post('/api/auth/login').set('Cookie', cookie).send({ email, password: PASSWORD });

    it('lets the owner log in from a known device after an attacker has sent 12 wrong passwords from another address', async () => {
      const { email, cookie } = await ownerWithKnownDevice();
      const attacks = [];
      for (let i = 0; i < 12; i++) attacks.push((await wrongLogin(server, email, i, fromIp('203.0.113.66'))).status);
      expect(
        attacks.slice(0, 10).every((s) => s === 401),
        attacks.join(','),
      ).toBe(true);
      expect(attacks.slice(10), 'the attacker is stopped').toEqual([429, 429]);

      const owner = await ownerLogin(email, cookie);
      expect(owner.status, describeResponse(owner)).toBe(200);
      expect(AuthResponseSchema.parse(owner.body).user.email).toBe(email);
    });

    it('lets the owner in from a known device when guesses from many addresses have used up the email', async () => {
      const { email, cookie } = await ownerWithKnownDevice();
      for (let i = 0; i < 16; i++) await wrongLogin(server, email, i, fromIp(`198.51.100.${i + 1}`));
      // A device the account has never seen is held back: that is the spread-out attack.
      const newDevice = await request(server.url).post('/api/auth/login').set(fromIp('192.0.2.99')).send({ email, password: PASSWORD });
      expectRateLimited(newDevice, 3600);

      const owner = await ownerLogin(email, cookie);
      expect(owner.status, describeResponse(owner)).toBe(200);
    });

    it('still limits wrong passwords from a known device, on its own count', async () => {
      const { email, cookie } = await ownerWithKnownDevice();
      for (let i = 0; i < 10; i++) {
        const res = await request(server.url)
          .post('/api/auth/login')
          .set('Cookie', cookie)
          .send({ email, password: `wrong-${i}-password` });
        expectError(res, 401, 'invalid_credentials');
      }
      const limited = await request(server.url)
        .post('/api/auth/login')
        .set('Cookie', cookie)
        .send({ email, password: 'wrong-again-password' });
      expectRateLimited(limited, 900);
    });

    it.each([
      ['a made-up device cookie', async () => `duet_device=${'A'.repeat(43)}`],
      ["another account's device cookie", async () => (await ownerWithKnownDevice()).cookie],
    ])('counts guesses sent with %s as guesses from an unknown device', async (_name, cookieOf) => {
      const { email } = await ownerWithKnownDevice();
      const cookie = await cookieOf();
      const attacker = fromIp('203.0.113.77');
      for (let i = 0; i < 10; i++) {
        const res = await request(server.url)
          .post('/api/auth/login')
          .set(attacker)
          .set('Cookie', cookie)
          .send({ email, password: `guess-${i}-password` });
        expectError(res, 401, 'invalid_credentials');
      }
      // The guesses used up this email's allowance from this address, not some device's own.
      expectRateLimited(await wrongLogin(server, email, 11, attacker), 900);
    });

    it('sets the device cookie HttpOnly and SameSite=Strict, and recognises a device after its first login', async () => {
      const { email } = await ownerWithKnownDevice();
      const first = await request(server.url).post('/api/auth/login').set(fromIp('192.0.2.10')).send({ email, password: PASSWORD });
      expect(first.status, describeResponse(first)).toBe(200);
      const cookie = deviceCookie(first);
      const header = ([] as string[]).concat(first.headers['set-cookie'] ?? []).find((c) => c.startsWith('duet_device='));
      expect(header).toMatch(/HttpOnly/i);
      expect(header).toMatch(/SameSite=Strict/i);
      expect(header).toMatch(/Path=\/api\/auth/i);

      for (let i = 0; i < 11; i++) await wrongLogin(server, email, i, fromIp('192.0.2.10'));
      const again = await request(server.url)
        .post('/api/auth/login')
        .set(fromIp('192.0.2.10'))
        .set('Cookie', cookie)
        .send({ email, password: PASSWORD });
      expect(again.status, describeResponse(again)).toBe(200);
      expect(again.headers['set-cookie'], 'a known device keeps its cookie').toBeUndefined();
    });
  });
});

describe('signup rate limits', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ signupRateLimit: { points: 3, windowSec: 3600 } });
  });
  afterAll(async () => {
    await server?.close();
  });

  const signupFrom = (ip: string, tag: string) =>
    request(server.url)
      .post('/api/auth/signup')
      .set(fromIp(ip))
      .send({ email: uniqueEmail(tag), password: PASSWORD, displayName: 'Flood' });

  it('answers 429 rate_limited with Retry-After to a flood of signups from one address, and not to others', async () => {
    for (let i = 0; i < 3; i++) {
      const res = await signupFrom('203.0.113.5', `flood${i}`);
      expect(res.status, describeResponse(res)).toBe(201);
    }
    const flood = await Promise.all(Array.from({ length: 5 }, (_, i) => signupFrom('203.0.113.5', `more${i}`)));
    for (const res of flood) expectRateLimited(res, 3600);
    const elsewhere = await signupFrom('198.51.100.5', 'elsewhere');
    expect(elsewhere.status, describeResponse(elsewhere)).toBe(201);
  });

  it('counts IPv6 addresses by their /64, which one subscriber can rotate through', async () => {
    for (let i = 1; i <= 3; i++) {
      const res = await signupFrom(`2001:db8:aa:1::${i.toString(16)}`, `v6-${i}`);
      expect(res.status, describeResponse(res)).toBe(201);
    }
    expectRateLimited(await signupFrom('2001:db8:aa:1:ffff:1234:5678:9abc', 'v6-rotated'), 3600);
    const otherNetwork = await signupFrom('2001:db8:aa:2::1', 'v6-other');
    expect(otherNetwork.status, describeResponse(otherNetwork)).toBe(201);
  });

  it('does not count a signup that is refused as invalid', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await request(server.url)
        .post('/api/auth/signup')
        .set(fromIp('192.0.2.44'))
        .send({ email: 'not-an-email', password: PASSWORD, displayName: 'X' });
      expectError(res, 400, 'invalid_body');
    }
    const res = await signupFrom('192.0.2.44', 'valid');
    expect(res.status, describeResponse(res)).toBe(201);
  });
});

describe('signup rate limits across instances and without Redis', () => {
  const servers: TestServer[] = [];
  afterAll(async () => {
    // The instance that owns the database drops it, so it closes last.
    for (const server of servers.reverse()) await server.close();
  });

  const signupAt = (server: TestServer, ip: string, tag: string) =>
    request(server.url)
      .post('/api/auth/signup')
      .set(fromIp(ip))
      .send({ email: uniqueEmail(tag), password: PASSWORD, displayName: 'Flood' });

  it('counts signups on every instance together through Redis', async () => {
    const first = await startTestServer({ signupRateLimit: { points: 3, windowSec: 3600 } });
    servers.push(first);
    const second = await startTestServer(
      { signupRateLimit: { points: 3, windowSec: 3600 } },
      { sharedDatabaseUrl: first.databaseUrl, redisPrefix: first.redisPrefix },
    );
    servers.push(second);
    const statuses = [];
    for (const [i, server] of [first, second, first].entries())
      statuses.push((await signupAt(server, '203.0.113.200', `multi${i}`)).status);
    expect(statuses).toEqual([201, 201, 201]);
    expectRateLimited(await signupAt(second, '203.0.113.200', 'multi-last'), 3600);
  });

  it('limits signups in memory when Redis is not configured', async () => {
    const alone = await startTestServer({ redisUrl: null, signupRateLimit: { points: 2, windowSec: 3600 } });
    servers.unshift(alone);
    for (let i = 0; i < 2; i++) expect((await signupAt(alone, '203.0.113.201', `mem${i}`)).status).toBe(201);
    expectRateLimited(await signupAt(alone, '203.0.113.201', 'mem-last'), 3600);
  });
});
