// Accounts and devices (PROTOCOL.md "Accounts and devices", "Errors"), black-box over HTTP.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthResponseSchema, MeResponseSchema, newId } from '@duet/shared';
import { signup, startTestServer, type TestServer } from './harness.ts';
import { bearer, describeResponse, expectError, expectRequestId, login, me } from './support/api.ts';

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
      const res = await request(server.url).post('/api/auth/login').send({ email: account.email, password: account.password, deviceName: 'phone' });
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
      const unknownEmail = await request(server.url).post('/api/auth/login').send({ email: uniqueEmail('nobody'), password: 'wrong password!' });
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

describe('login rate limits', () => {
  describe('per email', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer({ loginRateLimit: { perEmail: 3, perIp: 1000, windowSec: 60 } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('answers 429 rate_limited with Retry-After once an email has had its failed logins', async () => {
      const account = await signup(server);
      for (let i = 0; i < 3; i++) {
        const res = await request(server.url).post('/api/auth/login').send({ email: account.email, password: `wrong-${i}-password` });
        expectError(res, 401, 'invalid_credentials');
      }
      const limited = await request(server.url).post('/api/auth/login').send({ email: account.email, password: 'wrong-again-password' });
      expectError(limited, 429, 'rate_limited');
      const retryAfter = limited.headers['retry-after'];
      expect(retryAfter, 'Retry-After header').toMatch(/^\d+$/);
      expect(Number(retryAfter)).toBeGreaterThan(0);
      expect(Number(retryAfter)).toBeLessThanOrEqual(60);

      // The same email in another case is the same email.
      const upper = await request(server.url).post('/api/auth/login').send({ email: account.email.toUpperCase(), password: 'wrong-upper-password' });
      expectError(upper, 429, 'rate_limited');
    });

    it('cannot be outrun by sending the failed logins all at once', async () => {
      const account = await signup(server);
      const attempts = await Promise.all(
        Array.from({ length: 15 }, (_, i) =>
          request(server.url).post('/api/auth/login').send({ email: account.email, password: `parallel-guess-${i}` }),
        ),
      );
      const statuses = attempts.map((r) => r.status);
      for (const res of attempts) expect([401, 429], describeResponse(res)).toContain(res.status);
      // Only perEmail (3) password guesses may be evaluated; the rest must be turned away.
      expect(statuses.filter((s) => s === 401).length, `statuses: ${statuses.join(',')}`).toBeLessThanOrEqual(3);
    });

    it('limits each email on its own', async () => {
      const blocked = await signup(server);
      const other = await signup(server);
      for (let i = 0; i < 4; i++) {
        await request(server.url).post('/api/auth/login').send({ email: blocked.email, password: 'wrong password' });
      }
      const res = await request(server.url).post('/api/auth/login').send({ email: other.email, password: 'wrong password' });
      expectError(res, 401, 'invalid_credentials');
      expect((await login(server, other.email, other.password)).user.id).toBe(other.user.id);
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
      server = await startTestServer({ loginRateLimit: { perEmail: 1000, perIp: 4, windowSec: 120 } });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('answers 429 rate_limited with Retry-After once one address has had its failed logins, whatever the email', async () => {
      for (let i = 0; i < 4; i++) {
        const res = await request(server.url).post('/api/auth/login').send({ email: uniqueEmail(`ip${i}`), password: 'wrong password' });
        expectError(res, 401, 'invalid_credentials');
      }
      const limited = await request(server.url).post('/api/auth/login').send({ email: uniqueEmail('ip-last'), password: 'wrong password' });
      expectError(limited, 429, 'rate_limited');
      expect(limited.headers['retry-after'], 'Retry-After header').toMatch(/^\d+$/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(120);
    });
  });
});
