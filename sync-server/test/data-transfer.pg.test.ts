// Export and import of a person's data (issue 12, docs/export-import.md), black-box against the
// real Postgres: an account with a shared space, messages, a session and a recorded transcript is
// exported (a zip of duet-export.json and the audio), imported into a new account, which then
// pulls the same data under fresh ids and plays the same audio; every bad input is refused with
// the protocol's error shape, never a 500.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { DataExportSchema, DataImportResponseSchema, newId, readMarkId, type DataExport } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { account, clientOf, couple, type Account } from './support/accounts.ts';
import { bearer, describeResponse, expectError } from './support/api.ts';
import { entitiesOf, freshState } from './support/sync-client.ts';
import { pushApplied } from './support/transcript-watch.ts';
import { createUpload, patchUpload } from './support/tus-http.ts';

/** Reads a response body as bytes whatever its type. */
function asBytes(res: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

const exportOf = (server: TestServer, token: string) =>
  request(server.url).get('/api/account/export').set('Authorization', bearer(token)).buffer(true).parse(asBytes);

const importInto = (server: TestServer, token: string | null, zip: Buffer) => {
  const req = request(server.url).post('/api/account/import').set('Content-Type', 'application/zip');
  return (token ? req.set('Authorization', bearer(token)) : req).send(zip);
};

/** The entries of a zip, by name. */
async function unzip(zip: Buffer): Promise<Map<string, Buffer>> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    file.on('error', reject);
    file.on('end', () => resolve());
    file.on('entry', (entry: yauzl.Entry) => {
      void file.openReadStreamPromise(entry).then(async (stream) => {
        const chunks: Buffer[] = [];
        for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
        files.set(entry.fileName, Buffer.concat(chunks));
        file.readEntry();
      }, reject);
    });
    file.readEntry();
  });
  return files;
}

/** A zip of these entries (deflated unless `store`), made with yazl. */
async function zipOf(entries: Record<string, Buffer | string>, store = false): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(entries)) zip.addBuffer(Buffer.from(content), name, { compress: !store });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

async function uploadAudio(server: TestServer, who: Account, transcriptId: string, bytes: Buffer): Promise<void> {
  const created = await createUpload(server, who.token, { length: bytes.length, metadata: { transcriptId, filetype: 'audio/webm' } });
  expect(created.response.status, created.response.body).toBe(201);
  const done = await patchUpload(server, who.token, created.path as string, 0, bytes);
  expect(done.status, done.body).toBe(204);
}

describe('export and import of a person’s data', () => {
  let server: TestServer;
  let ana: Account;
  let exported: Buffer;
  let document: DataExport;
  const audio = randomBytes(700 * 1024);
  const ids = { personal: newId(), shared: newId(), reply: newId(), first: newId(), oops: newId(), transcript: newId(), session: newId() };

  beforeAll(async () => {
    server = await startTestServer({ dataImport: { maxBytes: 4 * 1024 * 1024, maxEntries: 50, maxUncompressedBytes: 4 * 1024 * 1024 } });
    const people = await couple(server);
    ana = people.ana;
    const phone = clientOf(server, ana);
    const partner = clientOf(server, people.ben);
    phone.mutate('conversation.create', { id: ids.personal, spaceId: ana.personalSpaceId, title: 'Notes to self' });
    phone.mutate('message.add', { id: ids.first, conversationId: ids.personal, body: 'Remember the milk' });
    phone.mutate('message.add', { id: ids.reply, conversationId: ids.personal, body: 'And the bread', replyTo: ids.first });
    phone.mutate('message.add', { id: ids.oops, conversationId: ids.personal, body: 'Oops' });
    phone.mutate('message.add', { id: newId(), conversationId: ids.personal, body: 'Ignore that', replyTo: ids.oops });
    phone.mutate('message.delete', { id: ids.oops });
    phone.mutate('conversation.create', { id: ids.shared, spaceId: people.sharedSpaceId, title: 'Us' });
    phone.mutate('conversation.read', { id: ids.personal, upTo: Date.now() });
    phone.mutate('session.start', { id: ids.session, startedAt: Date.now() - 60_000 });
    phone.mutate('transcript.create', {
      id: ids.transcript,
      spaceId: people.sharedSpaceId,
      conversationId: ids.shared,
      text: 'We talked',
      language: 'en',
    });
    await pushApplied(phone);
    partner.mutate('message.add', { id: newId(), conversationId: ids.shared, body: 'Hi from Ben' });
    await pushApplied(partner);
    await uploadAudio(server, ana, ids.transcript, audio);

    const res = await exportOf(server, ana.token);
    expect(res.status, describeResponse(res)).toBe(200);
    exported = res.body as Buffer;
    expect(res.headers['content-type']).toBe('application/zip');
    expect(Number(res.headers['content-length'])).toBe(exported.length);
    const files = await unzip(exported);
    document = DataExportSchema.parse(JSON.parse((files.get('duet-export.json') ?? Buffer.from('')).toString('utf8')));
    expect(files.get(`audio/${ids.transcript}.webm`)?.equals(audio)).toBe(true);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('exports the personal and the shared space: conversations, messages, sessions, transcripts, read marks and the audio', () => {
    expect(document.format).toBe('duet-export');
    expect(document.version).toBe(1);
    expect(document.user).toEqual({ id: ana.userId, email: ana.email, displayName: 'Ana' });
    expect(document.conversations.map((c) => c.title).sort()).toEqual(['Notes to self', 'Us']);
    expect(document.messages.map((m) => m.body).sort()).toEqual(['', 'And the bread', 'Hi from Ben', 'Ignore that', 'Remember the milk']);
    expect(document.messages.find((m) => m.id === ids.oops)?.deleted).toBe(true);
    expect(document.sessions.map((s) => s.id)).toContain(ids.session);
    expect(document.transcripts.map((t) => t.id)).toEqual([ids.transcript]);
    expect(document.readMarks.map((r) => r.conversationId)).toEqual([ids.personal]);
    expect(document.audio).toEqual([
      { transcriptId: ids.transcript, path: `audio/${ids.transcript}.webm`, size: audio.length, mimeType: 'audio/webm' },
    ]);
  });

  it('imports into a new account under fresh ids: it pulls the same data and the audio plays, byte for byte', async () => {
    const eve = await account(server, 'Eve');
    const res = await importInto(server, eve.token, exported);
    expect(res.status, describeResponse(res)).toBe(200);
    expect(DataImportResponseSchema.parse(res.body).imported).toEqual({
      conversations: 2,
      messages: 5,
      sessions: 1,
      transcripts: 1,
      readMarks: 1,
      audio: 1,
    });

    const state = await freshState(server, eve.token);
    const conversations = entitiesOf(state, 'conversation');
    expect(conversations.map((c) => c.title).sort()).toEqual(['Notes to self', 'Us']);
    expect(conversations.every((c) => c.spaceId === eve.personalSpaceId && c.createdBy === eve.userId)).toBe(true);
    expect(conversations.some((c) => c.id === ids.personal || c.id === ids.shared)).toBe(false);
    const byTitle = new Map(conversations.map((c) => [c.title, c.id]));
    const messages = entitiesOf(state, 'message');
    expect(messages.map((m) => m.body).sort()).toEqual(['', 'And the bread', 'Hi from Ben', 'Ignore that', 'Remember the milk']);
    // The deleted message stays a tombstone, and the reply to it still names it.
    const tombstone = messages.find((m) => m.deleted);
    expect(state.get(`message:${tombstone?.id ?? ''}`)?.deleted).toBe(true);
    expect(messages.find((m) => m.body === 'Ignore that')?.replyTo).toBe(tombstone?.id);
    const first = messages.find((m) => m.body === 'Remember the milk');
    const reply = messages.find((m) => m.body === 'And the bread');
    expect(reply?.replyTo).toBe(first?.id);
    expect(reply?.conversationId).toBe(byTitle.get('Notes to self'));
    expect(reply?.authorId).toBe(eve.userId);
    // The partner's message keeps its author: it still reads as someone else's.
    expect(messages.find((m) => m.body === 'Hi from Ben')?.authorId).not.toBe(eve.userId);
    const sessions = entitiesOf(state, 'session');
    expect(sessions.map((s) => s.userId)).toEqual([eve.userId]);
    const [transcript] = entitiesOf(state, 'transcript');
    expect(transcript?.text).toBe('We talked');
    expect(transcript?.conversationId).toBe(byTitle.get('Us'));
    expect(transcript?.id).not.toBe(ids.transcript);
    expect(entitiesOf(state, 'readMark').map((r) => r.id)).toEqual([readMarkId(eve.userId, byTitle.get('Notes to self') ?? '')]);

    const played = await request(server.url)
      .get(`/api/transcripts/${transcript?.id ?? ''}/audio`)
      .set('Authorization', bearer(eve.token))
      .buffer(true)
      .parse(asBytes);
    expect(played.status).toBe(200);
    expect((played.body as Buffer).equals(audio)).toBe(true);

    // The original account is untouched and its audio still plays.
    const original = await request(server.url)
      .get(`/api/transcripts/${ids.transcript}/audio`)
      .set('Authorization', bearer(ana.token))
      .buffer(true)
      .parse(asBytes);
    expect((original.body as Buffer).equals(audio)).toBe(true);
  });

  it('refuses an account that is not empty (409 import_target_not_empty), also a second import', async () => {
    expectError(await importInto(server, ana.token, exported), 409, 'import_target_not_empty');
    const zoe = await account(server, 'Zoe');
    expect((await importInto(server, zoe.token, exported)).status).toBe(200);
    expectError(await importInto(server, zoe.token, exported), 409, 'import_target_not_empty');
  });

  it('refuses without a token (401), for export and import', async () => {
    expectError(await request(server.url).get('/api/account/export'), 401, 'unauthorized');
    expectError(await importInto(server, null, exported), 401, 'unauthorized');
  });

  it('refuses recordings past the audio quota (413 audio_quota_exceeded)', async () => {
    const small = await startTestServer({ uploadLimits: { ...server.config.uploadLimits, quotaBytesPerUser: 100 * 1024 } });
    try {
      const target = await account(small, 'Quota');
      expectError(await importInto(small, target.token, exported), 413, 'audio_quota_exceeded');
      expect(entitiesOf(await freshState(small, target.token), 'conversation')).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('answers 413 to a body past the limit sent without a length (chunked), instead of cutting the connection', async () => {
    const target = await account(server, 'Chunked');
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${server.url}/api/account/import`, {
        method: 'POST',
        headers: { Authorization: bearer(target.token), 'Content-Type': 'application/zip', 'Transfer-Encoding': 'chunked' },
      });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      const piece = randomBytes(256 * 1024);
      let sent = 0;
      const more = () => {
        while (sent < 6 * 1024 * 1024) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', more);
        }
        req.end();
      };
      more();
    });
    expect(answer.status, answer.body).toBe(413);
    expect(JSON.parse(answer.body).error.code).toBe('payload_too_large');
  });

  describe('bad files get a 4xx with the protocol’s error shape', () => {
    const valid = () => structuredClone(document);
    const json = (value: unknown) => JSON.stringify(value);
    const cases: Array<[string, () => Promise<Buffer>, number, string, string?]> = [
      ['no file', async () => Buffer.alloc(0), 400, 'export_invalid', 'not_a_zip'],
      ['not a zip', async () => Buffer.from('this is a text file, not a zip'), 400, 'export_invalid', 'not_a_zip'],
      ['a zip without duet-export.json', () => zipOf({ 'notes.txt': 'hello' }), 400, 'export_invalid', 'no_json'],
      ['JSON that does not parse', () => zipOf({ 'duet-export.json': '{ nope' }), 400, 'export_invalid', 'bad_json'],
      ['another format', () => zipOf({ 'duet-export.json': json({ format: 'other-app', version: 1 }) }), 400, 'export_unsupported'],
      ['another version', () => zipOf({ 'duet-export.json': json({ ...valid(), version: 2 }) }), 400, 'export_unsupported'],
      [
        'an entity failing its schema',
        () => zipOf({ 'duet-export.json': json({ ...valid(), audio: [], messages: [{ ...valid().messages[0], body: 42 }] }) }),
        400,
        'export_invalid',
        'schema',
      ],
      [
        'a message naming a conversation the file does not hold',
        () =>
          zipOf({
            'duet-export.json': json({
              ...valid(),
              audio: [],
              transcripts: [],
              conversations: valid().conversations.slice(0, 1),
              readMarks: [],
            }),
          }),
        400,
        'export_invalid',
        'missing_reference',
      ],
      ['a recording listed but missing', () => zipOf({ 'duet-export.json': json(valid()) }), 400, 'export_invalid', 'audio_missing'],
      ['a file larger than the limit', async () => randomBytes(5 * 1024 * 1024), 413, 'payload_too_large'],
      [
        'a zip bomb (unpacks past the limit)',
        () => zipOf({ 'duet-export.json': json(valid()), [`audio/${ids.transcript}.webm`]: Buffer.alloc(8 * 1024 * 1024) }),
        413,
        'payload_too_large',
      ],
      [
        'too many files',
        () => zipOf(Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i}.txt`, 'x']))),
        413,
        'payload_too_large',
      ],
    ];
    it.each(cases)('%s', async (_name, make, status, code, reason) => {
      const target = await account(server, 'Target');
      const res = await importInto(server, target.token, await make());
      expectError(res, status, code);
      if (reason) expect(res.body.error.details?.reason, describeResponse(res)).toBe(reason);
      // Nothing was imported: the account is still empty.
      const state = await freshState(server, target.token);
      expect(entitiesOf(state, 'conversation')).toEqual([]);
    });
  });
});
