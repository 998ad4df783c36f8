// Emails in the background against a real SMTP server the test runs (smtp-server): password
// reset (content, link, single use, expiry, every session revoked, no enumeration, limits per
// email and per IP), invitations by email, changing the password, and the mail server going down:
// emails wait (the server is not hammered), /api/ready says so, and none is lost.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.ts';
import { signup, startTestServer, type TestServer } from './harness.ts';
import { bearer, describeResponse, expectError, login, sleep } from './support/api.ts';
import { linkIn, recipientOf, startSmtpSink, type SmtpSink } from './support/smtp-sink.ts';
import { queryDatabase } from './support/transcript-watch.ts';

const defaults = loadConfig({});

function emailOverrides(sink: SmtpSink, more: Partial<Config> = {}): Partial<Config> {
  return {
    email: { ...defaults.email, smtpUrl: sink.url, retryDelaySec: 1, breakerHalfOpenMs: 1000 },
    ...more,
  };
}

const askReset = (server: TestServer, email: string, ip = '127.0.0.1') =>
  request(server.url).post('/api/auth/password-reset').set('X-Forwarded-For', ip).send({ email });
const confirmReset = (server: TestServer, token: string, password: string) =>
  request(server.url).post('/api/auth/password-reset/confirm').send({ token, password });
const meStatus = async (server: TestServer, token: string) =>
  (await request(server.url).get('/api/me').set('Authorization', bearer(token))).status;
const loginStatus = async (server: TestServer, email: string, password: string) =>
  (await request(server.url).post('/api/auth/login').send({ email, password })).status;

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

describe('password reset by email', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(emailOverrides(sink));
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('emails a single-use link to the reset screen; using it sets the password and ends every session', async () => {
    const user = await signup(server, { displayName: 'Rosa' });
    const second = await login(server, user.email, user.password);
    const before = sink.messages.length;

    const asked = await askReset(server, user.email.toUpperCase());
    expect(asked.status, describeResponse(asked)).toBe(202);
    expect(asked.body).toEqual({ status: 'requested' });

    const [mail] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(mail && recipientOf(mail)).toBe(user.email);
    expect(mail?.subject).toBe('Reset your Duet password');
    expect(mail?.text).toContain('The link works once, for 60 minutes.');
    const link = linkIn(mail!, `${server.url}/reset-password?token=`);
    expect(mail?.html).toContain(link.toString().replace(/&/g, '&amp;'));
    const token = link.searchParams.get('token') ?? '';
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const confirmed = await confirmReset(server, token, 'a brand new password');
    expect(confirmed.status, describeResponse(confirmed)).toBe(200);
    expect(confirmed.body).toEqual({ revokedSessions: 2 });
    expect(await meStatus(server, user.token)).toBe(401);
    expect(await meStatus(server, second.token)).toBe(401);
    expect(await loginStatus(server, user.email, user.password)).toBe(401);
    expect(await loginStatus(server, user.email, 'a brand new password')).toBe(200);

    // Single use: the same link again is refused and changes nothing.
    expectError(await confirmReset(server, token, 'yet another password'), 400, 'reset_token_invalid');
    expect(await loginStatus(server, user.email, 'a brand new password')).toBe(200);
  });

  it('writes the email in the person’s language', async () => {
    const email = `lucia_${Date.now()}@example.test`;
    const created = await request(server.url)
      .post('/api/auth/signup')
      .send({ email, password: 'contraseña segura', displayName: 'Lucía', locale: 'es-MX' });
    expect(created.status, describeResponse(created)).toBe(201);
    const before = sink.messages.length;
    expect((await askReset(server, email, '10.0.0.7')).status).toBe(202);
    const [mail] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(mail?.subject).toBe('Restablece tu contraseña de Duet');
    expect(mail?.text).toContain('Elegir una contraseña nueva:');
  });

  it('answers an unknown email exactly like a known one, and sends nothing to it', async () => {
    const known = await signup(server);
    const unknown = `nobody_${Date.now()}@example.test`;
    const before = sink.messages.length;
    const forUnknown = await askReset(server, unknown, '10.0.0.8');
    const forKnown = await askReset(server, known.email, '10.0.0.8');
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.body).toEqual(forKnown.body);
    expect(Object.keys(forUnknown.headers).sort()).toEqual(Object.keys(forKnown.headers).sort());
    // One worker sends in order: once the known one's email is here, the unknown one was handled.
    await sink.waitForMessages(before + 1);
    await sleep(500);
    const sent = sink.messages.slice(before).map(recipientOf);
    expect(sent).toEqual([known.email]);
    const tokens = await queryDatabase<{ n: string }>(
      server.databaseUrl,
      'SELECT count(*) AS n FROM password_resets r JOIN users u ON u.id = r.user_id WHERE u.email = $1',
      [known.email],
    );
    expect(Number(tokens[0]?.n)).toBe(1);
  });

  it('refuses an expired link with its own code and leaves the password as it was', async () => {
    const user = await signup(server);
    const before = sink.messages.length;
    await askReset(server, user.email, '10.0.0.9');
    const [mail] = (await sink.waitForMessages(before + 1)).slice(before);
    const token = linkIn(mail!, `${server.url}/reset-password?token=`).searchParams.get('token') ?? '';
    await queryDatabase(
      server.databaseUrl,
      "UPDATE password_resets SET expires_at = now() - interval '1 minute' FROM users u WHERE u.id = user_id AND u.email = $1",
      [user.email],
    );
    expectError(await confirmReset(server, token, 'too late a password'), 410, 'reset_token_expired');
    expect(await meStatus(server, user.token)).toBe(200);
    expect(await loginStatus(server, user.email, user.password)).toBe(200);
  });

  it('refuses a made-up or malformed token and bad bodies with the error shape', async () => {
    expectError(await confirmReset(server, 'A'.repeat(43), 'whatever password'), 400, 'reset_token_invalid');
    expectError(await confirmReset(server, 'short', 'whatever password'), 400, 'invalid_body');
    expectError(await confirmReset(server, 'A'.repeat(43), 'short'), 400, 'invalid_body');
    expectError(await request(server.url).post('/api/auth/password-reset').send({ email: 'not an email' }), 400, 'invalid_body');
    expectError(await request(server.url).post('/api/auth/password-reset').send({}), 400, 'invalid_body');
  });
});

describe('limits on reset requests', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(
      emailOverrides(sink, {
        passwordReset: { ttlMin: 60, perEmail: { points: 2, windowSec: 3600 }, perIp: { points: 4, windowSec: 3600 } },
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('limits requests per email the same way for an address with and without an account', async () => {
    const known = await signup(server);
    const unknown = `ghost_${Date.now()}@example.test`;
    for (const [email, ip] of [
      [known.email, '10.1.0.1'],
      [unknown, '10.1.0.2'],
    ] as const) {
      expect((await askReset(server, email, ip)).status).toBe(202);
      expect((await askReset(server, email, ip)).status).toBe(202);
      const third = await askReset(server, email, ip);
      expectError(third, 429, 'rate_limited');
      expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('limits requests per IP across addresses', async () => {
    for (let i = 0; i < 4; i++) expect((await askReset(server, `many_${i}_${Date.now()}@example.test`, '10.2.0.1')).status).toBe(202);
    expectError(await askReset(server, `many_last_${Date.now()}@example.test`, '10.2.0.1'), 429, 'rate_limited');
    expect((await askReset(server, `other_ip_${Date.now()}@example.test`, '10.2.0.2')).status).toBe(202);
  });
});

describe('invitations and password changes', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(emailOverrides(sink));
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  it('emails an invite code with a link that opens the accept screen with it; the code links the partners', async () => {
    const ana = await signup(server, { displayName: 'Ana' });
    const benEmail = `ben_${Date.now()}@example.test`;
    const ben = await request(server.url)
      .post('/api/auth/signup')
      .send({ email: benEmail, password: 'ben password', displayName: 'Ben', locale: 'ar' });
    const before = sink.messages.length;
    const invited = await request(server.url).post('/api/invites/email').set('Authorization', bearer(ana.token)).send({ email: benEmail });
    expect(invited.status, describeResponse(invited)).toBe(201);
    const code = invited.body.code as string;

    const [mail] = (await sink.waitForMessages(before + 1)).slice(before);
    expect(mail && recipientOf(mail)).toBe(benEmail);
    // Ben's account is in Arabic: the email is too.
    expect(mail?.subject).toBe('Ana يدعوك إلى Duet');
    expect(mail?.text).toContain(code);
    const link = linkIn(mail!, `${server.url}/partner?code=`);
    expect(link.searchParams.get('code')).toBe(code);

    const accepted = await request(server.url)
      .post('/api/invites/accept')
      .set('Authorization', bearer(ben.body.token as string))
      .send({ code: link.searchParams.get('code') });
    expect(accepted.status, describeResponse(accepted)).toBe(200);
    expect(accepted.body.space.members).toHaveLength(2);
  });

  it('refuses inviting one’s own address or a malformed one', async () => {
    const ana = await signup(server);
    const invite = (email: string) =>
      request(server.url).post('/api/invites/email').set('Authorization', bearer(ana.token)).send({ email });
    expectError(await invite(ana.email), 400, 'invalid_body');
    expectError(await invite('nope'), 400, 'invalid_body');
    expectError(await request(server.url).post('/api/invites/email').send({ email: 'x@example.test' }), 401, 'unauthorized');
  });

  it('changes the password with the current one and signs out every other session', async () => {
    const user = await signup(server);
    const other = await login(server, user.email, user.password);
    const change = (currentPassword: string, newPassword: string) =>
      request(server.url).post('/api/auth/password').set('Authorization', bearer(user.token)).send({ currentPassword, newPassword });

    expectError(await change('not my password', 'new password 1'), 400, 'wrong_password');
    expect(await meStatus(server, other.token)).toBe(200);
    expectError(await change(user.password, 'short'), 400, 'invalid_body');

    const changed = await change(user.password, 'new password 1');
    expect(changed.status, describeResponse(changed)).toBe(200);
    expect(changed.body).toEqual({ revokedSessions: 1 });
    expect(await meStatus(server, user.token)).toBe(200);
    expect(await meStatus(server, other.token)).toBe(401);
    expect(await loginStatus(server, user.email, user.password)).toBe(401);
    expect(await loginStatus(server, user.email, 'new password 1')).toBe(200);
  });

  it('limits wrong current passwords per user', async () => {
    const limited = await startTestServer(emailOverrides(sink, { passwordChangeLimit: { points: 2, windowSec: 900 } }));
    try {
      const user = await signup(limited);
      const change = (currentPassword: string) =>
        request(limited.url)
          .post('/api/auth/password')
          .set('Authorization', bearer(user.token))
          .send({ currentPassword, newPassword: 'new password 2' });
      expectError(await change('wrong 1'), 400, 'wrong_password');
      expectError(await change('wrong 2'), 400, 'wrong_password');
      expectError(await change(user.password), 429, 'rate_limited');
    } finally {
      await limited.close();
    }
  });
});

describe('the mail server down', () => {
  let sink: SmtpSink;
  let server: TestServer;

  beforeAll(async () => {
    sink = await startSmtpSink();
    server = await startTestServer(emailOverrides(sink));
  });
  afterAll(async () => {
    await server?.close();
    await sink?.close();
  });

  const ready = async () =>
    (await request(server.url).get('/api/ready')).body as { status: string; email: { up: boolean; pending: number | null } };

  const retriesUsed = async () =>
    Number(
      (
        await queryDatabase<{ n: string }>(
          server.databaseUrl,
          "SELECT coalesce(sum(retry_count), 0) AS n FROM pgboss.job WHERE name = 'email'",
        )
      )[0]?.n,
    );

  it('keeps the emails queued without hammering it, says so in /api/ready, and sends every one when it is back', async () => {
    expect((await ready()).email).toEqual({ up: true, mode: 'smtp', pending: 0 });
    const users = await Promise.all(Array.from({ length: 8 }, () => signup(server)));
    await sink.goDown();
    for (const [i, user] of users.entries()) expect((await askReset(server, user.email, `10.3.0.${i + 1}`)).status).toBe(202);

    const down = await waitFor('the breaker to open', async () => {
      const body = await ready();
      return body.email.up === false ? body : null;
    });
    expect(down.status).toBe('ready');
    expect(down.email.pending).toBe(8);
    // Open: at most one trial per half-open period (1 s) while it stays down, and the other
    // emails are not even taken from the queue, so they do not use up their retries.
    const attemptsAtOpen = sink.attemptsWhileDown;
    const retriesAtOpen = await retriesUsed();
    await sleep(3000);
    expect(sink.attemptsWhileDown - attemptsAtOpen).toBeLessThanOrEqual(4);
    expect((await retriesUsed()) - retriesAtOpen).toBeLessThanOrEqual(4);
    expect((await ready()).email.up).toBe(false);

    await sink.comeBack();
    await sink.waitForMessages(8, 60_000);
    expect(sink.messages.map(recipientOf).sort()).toEqual(users.map((u) => u.email).sort());
    await waitFor('the queue to empty', async () => {
      const body = await ready();
      return body.email.up && body.email.pending === 0;
    });
  }, 90_000);
});

describe('without SMTP_URL', () => {
  it('drops a queued job without a valid request and goes on sending the others', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'duet-outbox-'));
    const server = await startTestServer({ dataDir });
    try {
      const user = await signup(server);
      // Jobs an older version (or a hand in the database) left: no data, and data of another shape.
      await queryDatabase(server.databaseUrl, `INSERT INTO pgboss.job (name, data) VALUES ('email', NULL), ('email', '{"kind":"fax"}')`);
      expect((await askReset(server, user.email)).status).toBe(202);
      const outbox = path.join(dataDir, 'outbox');
      const [file] = await waitFor('the email file', async () => {
        const files = await readdir(outbox).catch(() => []);
        return files.length > 0 ? files : null;
      });
      expect(recipientOf(await simpleParser(await readFile(path.join(outbox, file!))))).toBe(user.email);
      expect((await request(server.url).get('/api/ready')).status).toBe(200);
      const left = await queryDatabase<{ n: number }>(
        server.databaseUrl,
        `SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'email' AND state <> 'completed'`,
      );
      expect(left[0]?.n, 'the bad jobs are done with, not retried forever').toBe(0);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('writes each email to a file under DATA_DIR/outbox, link and all', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'duet-outbox-'));
    const server = await startTestServer({ dataDir });
    try {
      const user = await signup(server);
      expect((await request(server.url).get('/api/ready')).body.email).toMatchObject({ up: true, mode: 'file' });
      expect((await askReset(server, user.email)).status).toBe(202);
      const outbox = path.join(dataDir, 'outbox');
      const [file] = await waitFor('the email file', async () => {
        const files = await readdir(outbox).catch(() => []);
        return files.length > 0 ? files : null;
      });
      const mail = await simpleParser(await readFile(path.join(outbox, file!)));
      expect(recipientOf(mail)).toBe(user.email);
      const token = linkIn(mail, `${server.url}/reset-password?token=`).searchParams.get('token') ?? '';
      expect((await confirmReset(server, token, 'password from a file')).status).toBe(200);
    } finally {
      await server.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
