// Audio past one machine (issue 10, "Shared audio"): two instances on one database. An upload
// begun on A is finished on B, the recording is read back from both, byte for byte, whole and in
// ranges; two PATCHes of one upload on the two instances never both write (tus's lock semantics
// across instances: the later one asks the holder to let go and waits); an instance killed with
// -9 while holding an upload does not keep it locked.
import { createHash, randomBytes } from 'node:crypto';
import request from 'supertest';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { startTestServer, type TestServer } from './harness.ts';
import { clientOf, couple, type Account, type Couple } from './support/accounts.ts';
import { bearer, describeResponse, sleep, type HasUrl } from './support/api.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { createTranscript, pushApplied, queryDatabase } from './support/transcript-watch.ts';
import { createUpload, headUpload, openPatch, patchUpload, type TusResponse } from './support/tus-http.ts';
import { storedUpload } from './support/upload-store.ts';
import { UPLOAD_LOCKS_APPLICATION_NAME } from '../src/uploads/pg-locker.ts';
import { CHUNK_BYTES } from '../src/uploads/pg-store.ts';

const MAX_BYTES = 8 * 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Reads a response body as bytes whatever its type (superagent would parse JSON, or text). */
function asBytes(res: request.Response, callback: (error: Error | null, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
}

function getAudio(server: HasUrl, token: string, transcriptId: string, headers: Record<string, string> = {}) {
  return request(server.url)
    .get(`/api/transcripts/${transcriptId}/audio`)
    .set('Authorization', bearer(token))
    .set(headers)
    .buffer(true)
    .parse(asBytes);
}

/** The bytes the store holds for an upload, read straight from upload_chunks in order. */
async function storedBytes(databaseUrl: string, uploadId: string): Promise<Buffer> {
  const rows = await queryDatabase<{ data: Buffer }>(
    databaseUrl,
    'SELECT data FROM upload_chunks WHERE upload_id = $1 ORDER BY start_offset',
    [uploadId],
  );
  return Buffer.concat(rows.map((r) => r.data));
}

/** The promise's value, or a clear failure when it takes longer than `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${ms} ms for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

describe('shared audio across two instances', () => {
  let a: TestServer;
  let b: TestServer;
  let people: Couple;

  beforeAll(async () => {
    a = await startTestServer({ uploadMaxBytes: MAX_BYTES });
    b = await startTestServer({ uploadMaxBytes: MAX_BYTES }, { sharedDatabaseUrl: a.databaseUrl, redisPrefix: a.redisPrefix });
    people = await couple(a);
  });
  afterAll(async () => {
    await killAllServerProcesses();
    await b?.close();
    await a?.close();
  });

  async function sharedTranscript(who: Account = people.ana): Promise<string> {
    const client = clientOf(a, who, 'audio');
    const id = newId();
    createTranscript(client, { id, spaceId: people.sharedSpaceId, text: 'Recorded on one, finished on another.', language: 'en' });
    await pushApplied(client);
    return id;
  }

  /** Every instance, for both partners: the whole recording and ranges of it, byte for byte. */
  async function expectServedEverywhere(transcriptId: string, audio: Buffer, mimeType: string): Promise<void> {
    const size = audio.length;
    const ranges: Array<{ header: string; start: number; end: number }> = [
      // Across chunk boundaries, from the middle of one chunk to the middle of another.
      { header: `bytes=1000-${2 * CHUNK_BYTES + 99}`, start: 1000, end: 2 * CHUNK_BYTES + 99 },
      { header: 'bytes=0-0', start: 0, end: 0 },
      { header: `bytes=${CHUNK_BYTES}-`, start: CHUNK_BYTES, end: size - 1 },
      { header: 'bytes=-777', start: size - 777, end: size - 1 },
      { header: `bytes=${size - 10}-${size + 5000}`, start: size - 10, end: size - 1 },
    ];
    for (const server of [a, b]) {
      for (const who of [people.ana, people.ben]) {
        const whole = await getAudio(server, who.token, transcriptId);
        expect(whole.status, describeResponse(whole)).toBe(200);
        expect(whole.headers['accept-ranges']).toBe('bytes');
        expect(whole.headers['content-type']).toBe(mimeType);
        expect(whole.headers['content-length']).toBe(String(size));
        expect(sha256(whole.body as Buffer), `whole recording from ${server === a ? 'A' : 'B'}`).toBe(sha256(audio));

        for (const asked of ranges) {
          // A range that goes past the end is served up to the end.
          const range = { ...asked, end: Math.min(asked.end, size - 1) };
          const part = await getAudio(server, who.token, transcriptId, { Range: range.header });
          expect(part.status, `${range.header}: ${describeResponse(part)}`).toBe(206);
          expect(part.headers['content-range']).toBe(`bytes ${range.start}-${range.end}/${size}`);
          expect(part.headers['content-length']).toBe(String(range.end - range.start + 1));
          expect((part.body as Buffer).equals(audio.subarray(range.start, range.end + 1)), range.header).toBe(true);
        }
      }
    }
  }

  it('finishes on B an upload begun on A (raw tus), and serves it from A and B, whole and in ranges', async () => {
    const transcriptId = await sharedTranscript();
    // Not a whole number of chunks, so the last chunk is short.
    const audio = randomBytes(3 * CHUNK_BYTES + 12_345);
    const created = await createUpload(a, people.ana.token, {
      length: audio.length,
      metadata: { transcriptId, filetype: 'audio/ogg' },
    });
    expect(created.response.status, created.response.body).toBe(201);
    const uploadPath = created.path as string;
    const firstPart = CHUNK_BYTES + 4321;
    const first = await patchUpload(a, people.ana.token, uploadPath, 0, audio.subarray(0, firstPart));
    expect(first.status, first.body).toBe(204);

    // B knows where A stopped, takes the rest and finishes the upload.
    const head = await headUpload(b, people.ana.token, uploadPath);
    expect(head.status, head.body).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(firstPart));
    expect(head.headers['upload-length']).toBe(String(audio.length));
    const rest = await patchUpload(b, people.ana.token, uploadPath, firstPart, audio.subarray(firstPart));
    expect(rest.status, rest.body).toBe(204);
    expect(rest.headers['upload-offset']).toBe(String(audio.length));

    await expectServedEverywhere(transcriptId, audio, 'audio/ogg');
    expect(await storedUpload(a.databaseUrl, created.uploadId as string)).toMatchObject({
      storedBytes: audio.length,
      chunkBytes: audio.length,
    });
  });

  it('lets tus-js-client begin an upload on A and resume it on B from where A stood', async () => {
    const transcriptId = await sharedTranscript(people.ben);
    const audio = randomBytes(2 * CHUNK_BYTES + 999);
    const endpointOf = (server: TestServer) => `${server.url}/api/uploads`;
    const common = {
      headers: { Authorization: bearer(people.ben.token) },
      metadata: { transcriptId, filetype: 'audio/mpeg' },
      chunkSize: CHUNK_BYTES,
      retryDelays: [0, 200, 500],
    };
    // On A: the first chunk, then the app goes away.
    const uploadUrl = await new Promise<string>((resolve, reject) => {
      const upload = new Upload(audio, {
        ...common,
        endpoint: endpointOf(a),
        onError: reject,
        onChunkComplete: () => {
          void upload.abort().then(() => resolve(upload.url ?? ''));
        },
      });
      upload.start();
    });
    const uploadPath = new URL(uploadUrl).pathname;
    const offsetOnB = Number((await headUpload(b, people.ben.token, uploadPath)).headers['upload-offset']);
    expect(offsetOnB).toBe(CHUNK_BYTES);

    // On B: the same upload, from its URL on B; the client asks B where to go on.
    const offsets: number[] = [];
    await new Promise<void>((resolve, reject) => {
      const upload = new Upload(audio, {
        ...common,
        uploadUrl: `${b.url}${uploadPath}`,
        onError: reject,
        onBeforeRequest: (req) => {
          if (req.getMethod() === 'PATCH') offsets.push(Number(req.getHeader('Upload-Offset')));
        },
        onSuccess: () => resolve(),
      });
      upload.start();
    });
    expect(offsets[0], `PATCH offsets on B ${JSON.stringify(offsets)}`).toBe(CHUNK_BYTES);
    await expectServedEverywhere(transcriptId, audio, 'audio/mpeg');
  });

  it('answers 416 range_not_satisfiable for a range past the end, and the whole recording for a range it ignores', async () => {
    const transcriptId = await sharedTranscript();
    const audio = randomBytes(50_000);
    const created = await createUpload(b, people.ana.token, { length: audio.length, metadata: { transcriptId, filetype: 'audio/wav' } });
    expect((await patchUpload(b, people.ana.token, created.path as string, 0, audio)).status).toBe(204);

    for (const server of [a, b]) {
      const beyond = await request(server.url)
        .get(`/api/transcripts/${transcriptId}/audio`)
        .set('Authorization', bearer(people.ben.token))
        .set('Range', `bytes=${audio.length}-`);
      expect(beyond.status, describeResponse(beyond)).toBe(416);
      expect(beyond.headers['content-range']).toBe(`bytes */${audio.length}`);
      expect(beyond.body).toEqual({
        error: { code: 'range_not_satisfiable', message: expect.any(String), details: { size: audio.length } },
      });

      // A malformed range, another unit, several ranges, an If-Range of another version: the whole recording.
      for (const headers of [
        { Range: 'bytes=abc' },
        { Range: 'items=0-5' },
        { Range: 'bytes=0-9,100-199' },
        { Range: 'bytes=0-9', 'If-Range': '"another-version"' },
      ]) {
        const whole = await getAudio(server, people.ben.token, transcriptId, headers);
        expect(whole.status, `${JSON.stringify(headers)}: ${describeResponse(whole)}`).toBe(200);
        expect(sha256(whole.body as Buffer)).toBe(sha256(audio));
      }
      // The bytes as stored, never compressed on the way (audio/wav is compressible), whole or in part.
      for (const headers of [{ 'Accept-Encoding': 'gzip' }, { 'Accept-Encoding': 'gzip', Range: 'bytes=100-40099' }]) {
        const plain = await request(server.url)
          .get(`/api/transcripts/${transcriptId}/audio`)
          .set('Authorization', bearer(people.ben.token))
          .set(headers)
          .buffer(true)
          .parse(asBytes);
        expect(plain.headers['content-encoding'], JSON.stringify(headers)).toBeUndefined();
        expect(plain.headers['content-length']).toBe(headers.Range ? '40000' : String(audio.length));
      }
      // If-Range naming this recording: the range.
      const etag = (await getAudio(server, people.ben.token, transcriptId)).headers.etag as string;
      const ranged = await getAudio(server, people.ben.token, transcriptId, { Range: 'bytes=10-19', 'If-Range': etag });
      expect(ranged.status).toBe(206);
      expect((ranged.body as Buffer).equals(audio.subarray(10, 20))).toBe(true);

      const head = await request(server.url).head(`/api/transcripts/${transcriptId}/audio`).set('Authorization', bearer(people.ben.token));
      expect(head.status).toBe(200);
      expect(head.headers['content-length']).toBe(String(audio.length));
    }
  });

  it('never lets two instances write one upload: a PATCH on B waits until the one on A lets go, then is refused at its stale offset', async () => {
    const transcriptId = await sharedTranscript();
    const audio = randomBytes(2 * CHUNK_BYTES);
    const intruder = randomBytes(2 * CHUNK_BYTES);
    const created = await createUpload(a, people.ana.token, { length: audio.length, metadata: { transcriptId, filetype: 'audio/ogg' } });
    const uploadPath = created.path as string;
    const uploadId = created.uploadId as string;

    // A holds the upload: a PATCH of the whole file, of which one chunk and a bit have been sent.
    const sentOnA = CHUNK_BYTES + 50_000;
    const onA = openPatch(a, people.ana.token, uploadPath, 0, audio.length);
    await onA.send(audio.subarray(0, sentOnA));
    await waitFor('the first chunk stored', async () => (await storedUpload(a.databaseUrl, uploadId)).storedBytes === CHUNK_BYTES);

    // B is asked to write from where the store stood a moment ago (what a second tab would believe).
    const onB = patchUpload(b, people.ana.token, uploadPath, CHUNK_BYTES, intruder.subarray(CHUNK_BYTES));

    // A was asked to let go: it keeps what it received and answers with its offset. B, which
    // waited for it, then finds the offset moved on and is refused; had it not waited, its bytes
    // would have gone in at CHUNK_BYTES and A's last ones would have been lost.
    const answerA: TusResponse = await within(onA.answer, 20_000, 'A to be asked to let go of the upload and answer');
    onA.destroy();
    const answerB = await onB;
    expect(answerA.status, answerA.body).toBe(204);
    expect(answerA.headers['upload-offset']).toBe(String(sentOnA));
    expect(answerB.status, answerB.body).toBe(409);

    // The bytes are A's alone, exactly as sent.
    expect((await storedBytes(a.databaseUrl, uploadId)).equals(audio.subarray(0, sentOnA))).toBe(true);
    expect((await headUpload(b, people.ana.token, uploadPath)).headers['upload-offset']).toBe(String(sentOnA));
    // And the upload goes on from there, on either instance.
    expect((await patchUpload(b, people.ana.token, uploadPath, sentOnA, audio.subarray(sentOnA))).status).toBe(204);
    await expectServedEverywhere(transcriptId, audio, 'audio/ogg');
  });

  it('stops the request holding an upload when its lock connection is lost, keeps its bytes, and locks again once reconnected', async () => {
    const transcriptId = await sharedTranscript();
    const audio = randomBytes(2 * CHUNK_BYTES);
    const created = await createUpload(a, people.ana.token, { length: audio.length, metadata: { transcriptId, filetype: 'audio/ogg' } });
    const uploadPath = created.path as string;
    const uploadId = created.uploadId as string;
    const sentOnA = CHUNK_BYTES + 20_000;
    const onA = openPatch(a, people.ana.token, uploadPath, 0, audio.length);
    await onA.send(audio.subarray(0, sentOnA));
    await waitFor('the first chunk stored', async () => (await storedUpload(a.databaseUrl, uploadId)).storedBytes === CHUNK_BYTES);

    // Postgres ends the session of A's lock connection (the one holding an advisory lock): the lock is gone.
    const ended = await queryDatabase<{ ended: boolean }>(
      a.databaseUrl,
      `SELECT pg_terminate_backend(a.pid) AS ended FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
        WHERE a.application_name = $1 AND a.datname = current_database() AND l.locktype = 'advisory' AND l.granted`,
      [UPLOAD_LOCKS_APPLICATION_NAME],
    );
    expect(ended).toEqual([{ ended: true }]);

    // A's request no longer holds the upload, so it is stopped and answers with what it stored.
    const answerA = await within(onA.answer, 20_000, "A's request to stop once its lock was lost");
    onA.destroy();
    expect(answerA.status, answerA.body).toBe(204);
    expect(answerA.headers['upload-offset']).toBe(String(sentOnA));
    expect((await storedBytes(a.databaseUrl, uploadId)).equals(audio.subarray(0, sentOnA))).toBe(true);

    // A reconnects and takes locks again: it finishes the upload itself.
    // Until it has, A's upload requests are refused as an outage (503 unavailable), never hung.
    const heads: TusResponse[] = [];
    await waitFor('A to lock uploads again', async () => {
      const head = await headUpload(a, people.ana.token, uploadPath);
      heads.push(head);
      return head.status === 200;
    });
    for (const refused of heads.slice(0, -1))
      expect([refused.status, refused.headers['content-type']]).toEqual([503, expect.stringMatching(/json/)]);
    expect(heads.at(-1)?.headers['upload-offset']).toBe(String(sentOnA));
    expect((await patchUpload(a, people.ana.token, uploadPath, sentOnA, audio.subarray(sentOnA))).status).toBe(204);
    await expectServedEverywhere(transcriptId, audio, 'audio/ogg');
  });

  it('frees the uploads of an instance killed with -9 while it held them', async () => {
    const transcriptId = await sharedTranscript();
    const audio = randomBytes(2 * CHUNK_BYTES);
    const c = await startServerProcess({
      DATABASE_URL: a.databaseUrl,
      REDIS_URL: a.config.redisUrl ?? '',
      REDIS_PREFIX: a.redisPrefix,
      UPLOAD_MAX_BYTES: String(MAX_BYTES),
    });
    const created = await createUpload(c, people.ana.token, { length: audio.length, metadata: { transcriptId, filetype: 'audio/ogg' } });
    expect(created.response.status, created.response.body).toBe(201);
    const uploadPath = created.path as string;
    const uploadId = created.uploadId as string;
    const onC = openPatch(c, people.ana.token, uploadPath, 0, audio.length);
    await onC.send(audio.subarray(0, CHUNK_BYTES + 1000));
    await waitFor('the first chunk stored', async () => (await storedUpload(a.databaseUrl, uploadId)).storedBytes === CHUNK_BYTES);

    await c.stop('SIGKILL');
    onC.destroy();
    // No one is left to let go: Postgres ended C's session, and its lock with it. A HEAD on A answers
    // at once (it would otherwise wait its 30 s for a release nobody sends), with what C stored.
    const head = await headUpload(a, people.ana.token, uploadPath);
    expect(head.status, head.body).toBe(200);
    expect(head.headers['upload-offset']).toBe(String(CHUNK_BYTES));
    expect((await patchUpload(a, people.ana.token, uploadPath, CHUNK_BYTES, audio.subarray(CHUNK_BYTES))).status).toBe(204);
    await expectServedEverywhere(transcriptId, audio, 'audio/ogg');
  });
});
