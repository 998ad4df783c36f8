// Issue 9, section 7: every endpoint fuzzed with fast-check against one real test server. Inputs
// carry NUL, lone surrogates, RTL marks, huge numbers, deep nesting, `__proto__` keys and wrong
// types, inside well-shaped requests as well as instead of them. Properties: no 5xx, every 4xx in
// the protocol's error body with X-Request-Id, the server stays up, nothing leaks from another
// user's space, and a victim's data pushed before the fuzzing is unchanged afterwards.
// Runs are bounded per endpoint; fast-check prints the seed and the shrunk input of a failure.
import http from 'node:http';
import fc from 'fast-check';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, PullResponseSchema, newId } from '@duet/shared';
import type { TestServer } from './harness.ts';
import { account, startWithAccounts, type Account } from './support/accounts.ts';
import { push } from './support/api.ts';
import { freshState, hlcAt, snapshot } from './support/sync-client.ts';
import { hostileValues } from './support/hostile-values.ts';
import { encodeMetadata, tusRequest, TUS_VERSION } from './support/tus-http.ts';
import { wsUrlOf } from './support/ws-probe.ts';

const RUNS = 120;
const WS_RUNS = 60;
const REQUEST_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------- the checks

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: unknown;
}

let server: TestServer;

/** One request over node:http (it sends empty and odd header values that fetch refuses); null if node:http refused the header itself. */
function send(method: string, path: string, options: { headers?: Record<string, string>; body?: string } = {}): Promise<Answer | null> {
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request(new URL(path, server.url), {
        method,
        agent: false,
        headers: { 'Content-Type': 'application/json', ...options.headers },
      });
    } catch (error) {
      // The server never saw those.
      if ((error as { code?: string }).code === 'ERR_INVALID_CHAR' || (error as { code?: string }).code === 'ERR_INVALID_HTTP_TOKEN')
        return resolve(null);
      return reject(error instanceof Error ? error : new Error(String(error)));
    }
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path} took over ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** No 5xx; a 4xx has the protocol's error body and X-Request-Id. */
function expectProtocolAnswer(answer: Answer | null, what: string): void {
  if (!answer) return;
  const shown = `${what}: ${answer.status} ${answer.text.slice(0, 300)}`;
  expect(answer.status, shown).toBeLessThan(500);
  if (answer.status >= 400) {
    expect(ErrorBodySchema.safeParse(answer.json).success, `error body shape, ${shown}`).toBe(true);
    expect(answer.headers['x-request-id'], `X-Request-Id, ${shown}`).toBeTruthy();
  }
}

const asJson = (value: unknown) => JSON.stringify(value) ?? 'null';

const runs = (numRuns: number) => ({ numRuns, interruptAfterTimeLimit: 50_000 });

// ---------------------------------------------------------------- the suite

describe.each([
  { label: 'strings Postgres can store', unstorable: false },
  { label: 'strings with NUL and lone surrogates', unstorable: true },
])('fuzzing every endpoint (fast-check), $label', ({ unstorable }) => {
  const { nastyString, nastyNumber, anyValue, rawBody, field, headerValue, unstorableEscapes } = hostileValues(unstorable);
  let victim: Account;
  let attacker: Account;
  let before: ReturnType<typeof snapshot>;
  /** Ids of the victim's own things: the fuzzer aims at them too. */
  let victimIds: string[];
  let attackerTranscriptId: string;
  const attackerIds = { conversation: newId(), message: newId(), session: newId() };

  /** Args the attacker may send for each mutation, on their own things: the fuzzer spoils one field at a time. */
  function validArgs(name: string): Record<string, unknown> {
    const now = Date.now();
    const own = attacker.personalSpaceId;
    const table: Record<string, Record<string, unknown>> = {
      'conversation.create': { id: newId(), spaceId: own, title: 'ok' },
      'conversation.update': { id: attackerIds.conversation, title: 'ok', archived: false },
      'message.add': { id: newId(), conversationId: attackerIds.conversation, body: 'ok' },
      'message.edit': { id: attackerIds.message, body: 'ok' },
      'message.delete': { id: newId() },
      'session.start': { id: newId(), startedAt: now },
      'session.activity': { id: attackerIds.session, kind: 'chat', at: now },
      'session.end': { id: attackerIds.session, endedAt: now },
      'transcript.create': { id: newId(), spaceId: own, text: 'Ana: hi', language: 'en', durationMs: 1000 },
      'transcript.update': { id: attackerTranscriptId, text: 'Ana: hello' },
      'transcript.submit': { id: attackerTranscriptId },
      'transcript.delete': { id: newId() },
    };
    return { ...table[name] };
  }
  const mutationNames = [
    'conversation.create',
    'conversation.update',
    'message.add',
    'message.edit',
    'message.delete',
    'session.start',
    'session.activity',
    'session.end',
    'transcript.create',
    'transcript.update',
    'transcript.submit',
    'transcript.delete',
  ];

  const someId = () =>
    fc.oneof(fc.constantFrom(...victimIds, attackerTranscriptId, attacker.personalSpaceId), nastyString, fc.constant(newId()));

  beforeAll(async () => {
    ({
      server,
      accounts: { victim, attacker },
    } = await startWithAccounts(async (started) => ({
      victim: await account(started, 'Victim'),
      attacker: await account(started, 'Attacker'),
    })));
    const conversationId = newId();
    const messageIds = [newId(), newId(), newId()];
    const transcriptId = newId();
    const clientId = `victim-${newId()}`;
    const at = Date.now();
    await push(server, victim.token, clientId, [
      {
        id: 1,
        name: 'conversation.create',
        args: { id: conversationId, spaceId: victim.personalSpaceId, title: 'Before the fuzzing ‏عربي' },
        hlc: hlcAt(at, clientId, 1),
      },
      ...messageIds.map((id, i) => ({
        id: i + 2,
        name: 'message.add',
        args: { id, conversationId, body: `message ${i} 😀` },
        hlc: hlcAt(at, clientId, i + 2),
      })),
      {
        id: 5,
        name: 'transcript.create',
        args: { id: transcriptId, spaceId: victim.personalSpaceId, conversationId, text: 'Ana: hello', language: 'en' },
        hlc: hlcAt(at, clientId, 5),
      },
    ]);
    attackerTranscriptId = newId();
    const attackerClient = `attacker-${newId()}`;
    await push(server, attacker.token, attackerClient, [
      {
        id: 1,
        name: 'transcript.create',
        args: { id: attackerTranscriptId, spaceId: attacker.personalSpaceId, text: 'mine', language: 'en' },
        hlc: hlcAt(at, attackerClient, 1),
      },
      {
        id: 2,
        name: 'conversation.create',
        args: { id: attackerIds.conversation, spaceId: attacker.personalSpaceId, title: 'mine' },
        hlc: hlcAt(at, attackerClient, 2),
      },
      {
        id: 3,
        name: 'message.add',
        args: { id: attackerIds.message, conversationId: attackerIds.conversation, body: 'mine' },
        hlc: hlcAt(at, attackerClient, 3),
      },
      { id: 4, name: 'session.start', args: { id: attackerIds.session, startedAt: at - 60_000 }, hlc: hlcAt(at, attackerClient, 4) },
    ]);
    victimIds = [conversationId, ...messageIds, transcriptId, victim.personalSpaceId, victim.userId];
    before = snapshot(await freshState(server, victim.token));
  });

  afterAll(async () => {
    await server?.close();
  });

  it('signup and login: no 5xx, errors in the protocol body', async () => {
    const signupBody = fc.oneof(
      fc
        .record(
          {
            email: field(fc.emailAddress()),
            password: field(fc.string({ minLength: 8 })),
            displayName: field(nastyString),
            locale: field(fc.constantFrom('en', 'ar', 'es-MX')),
            timeZone: field(fc.constantFrom('UTC', 'Asia/Tehran')),
          },
          { requiredKeys: [] },
        )
        .map(asJson),
      anyValue.map(asJson),
      rawBody,
    );
    await fc.assert(
      fc.asyncProperty(signupBody, async (body) => expectProtocolAnswer(await send('POST', '/api/auth/signup', { body }), 'signup')),
      runs(RUNS),
    );
    const loginBody = fc.oneof(
      fc
        .record(
          {
            email: field(
              fc.constantFrom(attacker.email, attacker.email.toUpperCase(), ` ${attacker.email}${unstorable ? '\u0000' : '\u200f'}`),
            ),
            password: field(nastyString),
            deviceName: field(nastyString),
          },
          { requiredKeys: [] },
        )
        .map(asJson),
      anyValue.map(asJson),
      rawBody,
    );
    await fc.assert(
      fc.asyncProperty(loginBody, async (body) => expectProtocolAnswer(await send('POST', '/api/auth/login', { body }), 'login')),
      runs(RUNS),
    );
  });

  it('logout, me, stats, health and ready with hostile Authorization headers and query strings', async () => {
    const request = fc.record({
      endpoint: fc.constantFrom<[string, string]>(
        ['POST', '/api/auth/logout'],
        ['GET', '/api/me'],
        ['GET', '/api/stats'],
        ['GET', '/api/health'],
        ['GET', '/api/ready'],
      ),
      authorization: fc.option(headerValue),
      // Short enough to stay under Node's header limit (a 431 is another matter).
      query: fc.option(
        nastyString.map((s) => `?${encodeURI(s.slice(0, 200).replace(/[\ud800-\udfff]/g, '\ufffd'))}&__proto__[x]=1&a[b][c]=%00`),
      ),
      requestId: fc.option(headerValue),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ endpoint: [method, path], authorization, query, requestId }) => {
        const headers: Record<string, string> = {};
        if (authorization !== null) headers.Authorization = authorization;
        if (requestId !== null) headers['X-Request-Id'] = requestId;
        expectProtocolAnswer(await send(method, `${path}${query ?? ''}`, { headers }), `${method} ${path}`);
      }),
      runs(RUNS),
    );
  });

  it('invites: create and accept with hostile codes and bodies', async () => {
    const body = fc.oneof(
      fc.record({ code: field(fc.constantFrom('ABCD2345', 'abcd2345', ' ABCD2345 ')) }, { requiredKeys: [] }).map(asJson),
      anyValue.map(asJson),
      rawBody,
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), body, async (create, payload) => {
        const headers = { Authorization: `Bearer ${attacker.token}` };
        if (create) expectProtocolAnswer(await send('POST', '/api/invites', { headers, body: payload }), 'invite create');
        else expectProtocolAnswer(await send('POST', '/api/invites/accept', { headers, body: payload }), 'invite accept');
      }),
      runs(RUNS),
    );
  });

  it("push: hostile mutations never 5xx and never touch another user's data", async () => {
    const args = fc.record(
      {
        id: field(someId()),
        spaceId: field(fc.constantFrom(victim.personalSpaceId, attacker.personalSpaceId)),
        conversationId: field(someId()),
        title: field(nastyString),
        body: field(nastyString),
        text: field(nastyString),
        language: field(fc.constantFrom('en', 'es', 'ar')),
        archived: field(fc.boolean()),
        startedAt: field(nastyNumber),
        endedAt: field(nastyNumber),
        at: field(nastyNumber),
        kind: field(fc.constantFrom('chat', 'transcript', 'review', 'browse')),
        durationMs: field(nastyNumber),
      },
      { requiredKeys: [] },
    );
    const envelope = fc.record(
      {
        id: field(fc.integer({ min: 1, max: 5 })),
        name: field(fc.constantFrom(...mutationNames)),
        args: fc.oneof(args, anyValue),
        hlc: field(fc.constant(hlcAt(Date.now(), 'fuzz'))),
      },
      { requiredKeys: [] },
    );
    // Valid mutations with exactly one field spoiled: the inputs that get past the shape checks.
    const spoiled = fc
      .record({
        name: fc.constantFrom(...mutationNames),
        field: fc.nat(),
        value: fc.oneof({ weight: 3, arbitrary: nastyString }, { weight: 1, arbitrary: anyValue }),
      })
      .map(({ name, field: which, value }) => {
        const args = validArgs(name);
        const keys = Object.keys(args);
        args[keys[which % keys.length] as string] = value;
        return { name, args };
      });
    const spoiledPush = fc.array(spoiled, { minLength: 1, maxLength: 4 }).map((mutations) => {
      const clientId = `fuzz-${newId()}`;
      return asJson({ clientId, mutations: mutations.map((m, i) => ({ id: i + 1, ...m, hlc: hlcAt(Date.now(), clientId, i) })) });
    });
    const body = fc.oneof(
      { weight: 4, arbitrary: spoiledPush },
      {
        weight: 4,
        arbitrary: fc
          .record(
            { clientId: field(fc.constant(`fuzz-${newId()}`)), mutations: fc.oneof(fc.array(envelope, { maxLength: 5 }), anyValue) },
            { requiredKeys: [] },
          )
          .map(asJson),
      },
      { weight: 1, arbitrary: anyValue.map(asJson) },
      { weight: 1, arbitrary: rawBody },
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        expectProtocolAnswer(
          await send('POST', '/api/sync/push', { headers: { Authorization: `Bearer ${attacker.token}` }, body: payload }),
          'push',
        );
      }),
      runs(RUNS * 2),
    );
  });

  it("pull: hostile cursors and limits never 5xx and never show another user's data", async () => {
    const forged = fc
      .oneof(fc.dictionary(fc.constantFrom(...victimIds), nastyNumber), anyValue)
      .map((value) => Buffer.from(asJson(value)).toString('base64url'));
    const body = fc.oneof(
      fc
        .record(
          {
            clientId: field(fc.constant(`fuzz-${newId()}`)),
            cursor: field(fc.oneof(forged, fc.constant(null))),
            limit: field(fc.integer({ min: 1, max: 1000 })),
          },
          { requiredKeys: [] },
        )
        .map(asJson),
      anyValue.map(asJson),
      rawBody,
    );
    await fc.assert(
      fc.asyncProperty(body, async (payload) => {
        const answer = await send('POST', '/api/sync/pull', { headers: { Authorization: `Bearer ${attacker.token}` }, body: payload });
        expectProtocolAnswer(answer, 'pull');
        if (answer?.status === 200) {
          const page = PullResponseSchema.parse(answer.json);
          expect(
            page.changes.filter((c) => victimIds.includes(c.id)),
            "a pull never shows another user's entities",
          ).toEqual([]);
        }
      }),
      runs(RUNS),
    );
  });

  it('tus uploads: POST, PATCH and HEAD with hostile headers and metadata', async () => {
    const metadata = fc.oneof(
      fc
        .record(
          { transcriptId: field(someId()), filetype: field(fc.constantFrom('audio/webm', 'audio/ogg', 'text/html')) },
          { requiredKeys: [] },
        )
        .map((m) => encodeMetadata(Object.fromEntries(Object.entries(m).map(([k, v]) => [k, typeof v === 'string' ? v : asJson(v)])))),
      headerValue,
    );
    const uploadPath = fc.oneof(
      fc.constant('/api/uploads'),
      nastyString.map((s) => `/api/uploads/${Buffer.from(s).toString('hex').slice(0, 80) || 'x'}`),
      fc.constantFrom('/api/uploads/..%2F..%2Fetc', ...unstorableEscapes.map((e) => `/api/uploads/${e}`)),
    );
    const request = fc.record({
      method: fc.constantFrom('POST', 'PATCH', 'HEAD', 'POST'),
      path: uploadPath,
      token: fc.oneof(fc.constant(attacker.token), fc.constant(null), headerValue),
      length: fc.option(fc.oneof(nastyNumber.map(String), headerValue)),
      offset: fc.option(fc.oneof(nastyNumber.map(String), headerValue)),
      metadata: fc.option(metadata),
      resumable: fc.oneof(fc.constant(TUS_VERSION), headerValue),
      contentType: fc.option(fc.constantFrom('application/offset+octet-stream', 'application/json', 'text/plain', '')),
      body: fc.option(fc.uint8Array({ maxLength: 64 })),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = { 'Tus-Resumable': r.resumable };
        if (r.length !== null) headers['Upload-Length'] = r.length;
        if (r.offset !== null) headers['Upload-Offset'] = r.offset;
        if (r.metadata !== null) headers['Upload-Metadata'] = r.metadata;
        if (r.contentType !== null) headers['Content-Type'] = r.contentType;
        let answer;
        try {
          const method = r.method;
          const body = r.body && method !== 'HEAD' ? { body: Buffer.from(r.body) } : {};
          answer = await tusRequest(server, { method, path: r.path, token: r.token, headers, ...body });
        } catch (error) {
          // node:http refuses some header values before sending; the server never saw those.
          if ((error as { code?: string }).code === 'ERR_INVALID_CHAR') return;
          throw error;
        }
        const shown = `tus ${r.method} ${r.path}: ${answer.status} ${answer.body.slice(0, 300)}`;
        expect(answer.status, shown).toBeLessThan(500);
        if (answer.status >= 400 && r.method !== 'HEAD') {
          let json: unknown;
          try {
            json = JSON.parse(answer.body);
          } catch {
            json = answer.body;
          }
          expect(ErrorBodySchema.safeParse(json).success, `error body shape, ${shown}`).toBe(true);
        }
      }),
      runs(RUNS),
    );
  });

  it('audio: GET with hostile transcript ids in the path', async () => {
    const id = fc.oneof(
      fc.constantFrom(
        ...victimIds,
        attackerTranscriptId,
        ...unstorableEscapes,
        '%E2%80%AE',
        '..%2F..%2Fpackage.json',
        '%2e%2e',
        '%FF',
        'a'.repeat(5000),
        '__proto__',
      ),
      nastyString.map((s) => Buffer.from(s).toString('hex').slice(0, 100) || 'x'),
    );
    await fc.assert(
      fc.asyncProperty(id, fc.option(headerValue), async (transcriptId, range) => {
        const headers: Record<string, string> = { Authorization: `Bearer ${attacker.token}` };
        if (range !== null) headers.Range = range;
        expectProtocolAnswer(await send('GET', `/api/transcripts/${transcriptId}/audio`, { headers }), 'audio');
      }),
      runs(RUNS),
    );
  });

  it('WebSocket: hostile frames before and after auth close the socket cleanly (4400/4401/1009) or are ignored', async () => {
    const frame = fc.oneof(
      anyValue.map(asJson),
      fc
        .record(
          {
            type: field(fc.constantFrom('auth', 'typing', 'poke')),
            token: field(fc.constant(attacker.token)),
            conversationId: field(someId()),
          },
          { requiredKeys: [] },
        )
        .map(asJson),
      rawBody.filter((b) => b.length < 20_000),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    );
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(frame, { minLength: 1, maxLength: 3 }), async (authFirst, frames) => {
        const ws = new WebSocket(wsUrlOf(server));
        ws.on('error', () => {});
        const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        if (authFirst) ws.send(JSON.stringify({ type: 'auth', token: attacker.token }));
        for (const f of frames) if (ws.readyState === WebSocket.OPEN) ws.send(f);
        const code = await Promise.race([closed, new Promise<null>((resolve) => setTimeout(() => resolve(null), 150))]);
        ws.terminate();
        if (code !== null) expect([4400, 4401, 1009], `close code after ${frames.length} frame(s)`).toContain(code);
      }),
      runs(WS_RUNS),
    );
  });

  it("left the server up and the victim's data exactly as it was", async () => {
    const health = await send('GET', '/api/health');
    expect(health?.status).toBe(200);
    expect(snapshot(await freshState(server, victim.token))).toEqual(before);
    // Nothing in the process was polluted through a `__proto__` key either.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
