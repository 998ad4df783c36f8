// Resumable audio uploads with tus (POST /api/uploads, PATCH/HEAD /api/uploads/:id) on the real
// Postgres: a cut connection resumes from the offset the server reports, the audio streams back
// byte for byte, the partner's device learns of it through pulls, and hostile requests are refused.
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { Upload } from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId, TranscriptAudioSchema } from '@duet/shared';
import type { TestServer } from './harness.ts';
import { account, clientOf, couple, startWithAccounts, type Account, type Couple } from './support/accounts.ts';
import { bearer, describeResponse, sleep } from './support/api.ts';
import { startDroppingProxy } from './support/dropping-proxy.ts';
import { entityIn, freshState } from './support/sync-client.ts';
import { createTranscript, pullUntilTranscript, pushApplied, queryDatabase } from './support/transcript-watch.ts';
import { createUpload, headUpload, patchCutMidway, patchUpload, tusRequest, type TusResponse } from './support/tus-http.ts';
import { nothingStored, storedUpload, storedUploadIds } from './support/upload-store.ts';

const MAX_BYTES = 4 * 1024 * 1024;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The protocol error body a tus answer carries, parsed; null when it is not one. */
function errorCodeOf(response: TusResponse): string | null {
  try {
    const body = JSON.parse(response.body) as { error?: { code?: unknown; message?: unknown } };
    return typeof body.error?.code === 'string' && typeof body.error.message === 'string' ? body.error.code : null;
  } catch {
    return null;
  }
}

function expectTusError(response: TusResponse, status: number, code: string): void {
  expect(response.status, `${response.status} ${response.body}`).toBe(status);
  expect(errorCodeOf(response), response.body).toBe(code);
  expect(response.headers.location, 'no upload is created').toBeUndefined();
}

describe('resumable audio uploads (tus)', () => {
  let server: TestServer;
  let dataDir: string;
  let people: Couple;
  let outsider: Account;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-uploads-'));
    ({
      server,
      accounts: { people, outsider },
    } = await startWithAccounts(async (started) => ({ people: await couple(started), outsider: await account(started, 'Olga') }), {
      dataDir,
      uploadMaxBytes: MAX_BYTES,
    }));
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  /** A transcript of Ana's in the shared space (or the given one). */
  async function transcriptOf(who: Account, spaceId: string): Promise<string> {
    const client = clientOf(server, who, 'up');
    const id = newId();
    createTranscript(client, { id, spaceId, text: 'Recorded with audio.', language: 'en' });
    await pushApplied(client);
    return id;
  }

  const uploadRows = (where: string, value: string) =>
    queryDatabase<{ id: string; size: string | null; completed_at: Date | null; user_id: string }>(
      server.databaseUrl,
      `SELECT id, size::text AS size, completed_at, user_id FROM uploads WHERE ${where} = $1`,
      [value],
    );

  const getAudio = (token: string | null, transcriptId: string) => {
    const req = request(server.url).get(`/api/transcripts/${transcriptId}/audio`).buffer(true);
    return token ? req.set('Authorization', bearer(token)) : req;
  };

  it('resumes an upload cut mid-PATCH from the offset HEAD reports, and streams back the same bytes', async () => {
    const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
    const audio = randomBytes(2 * 1024 * 1024);
    const created = await createUpload(server, people.ana.token, {
      length: audio.length,
      metadata: { transcriptId, filetype: 'audio/ogg', filename: 'evening.ogg' },
    });
    expect(created.response.status, created.response.body).toBe(201);
    expect(created.response.headers['tus-resumable']).toBe('1.0.0');
    const uploadPath = created.path as string;
    const uploadId = created.uploadId as string;

    // Half the bytes go out, then the connection dies.
    const half = audio.length / 2;
    const cut = await patchCutMidway(server, people.ana.token, uploadPath, 0, audio, half);
    expect(cut.answeredBeforeCut, 'the server cannot have finished a PATCH whose body was cut').not.toBe(204);

    // HEAD tells where to resume; wait until the server has settled the broken PATCH.
    let offset = -1;
    let stableReads = 0;
    const deadline = Date.now() + 10_000;
    while (stableReads < 2 && Date.now() < deadline) {
      const head = await headUpload(server, people.ana.token, uploadPath);
      expect(head.status, head.body).toBe(200);
      expect(head.headers['upload-length']).toBe(String(audio.length));
      expect(head.headers['cache-control']).toBe('no-store');
      const now = Number(head.headers['upload-offset']);
      stableReads = now === offset ? stableReads + 1 : 0;
      offset = now;
      if (stableReads < 2) await sleep(150);
    }
    expect(offset, 'the bytes that arrived before the cut are kept').toBeGreaterThan(0);
    expect(offset).toBeLessThanOrEqual(half);

    // Not finished yet: no audio on the transcript.
    expect((await getAudio(people.ana.token, transcriptId)).status).toBe(404);
    expect(entityIn(await freshState(server, people.ben.token), 'transcript', transcriptId)?.audio ?? null).toBeNull();

    // A PATCH at the wrong offset is refused and changes nothing.
    const wrong = await patchUpload(server, people.ana.token, uploadPath, 0, audio);
    expect(wrong.status, wrong.body).toBe(409);

    const resumed = await patchUpload(server, people.ana.token, uploadPath, offset, audio.subarray(offset));
    expect(resumed.status, resumed.body).toBe(204);
    expect(resumed.headers['upload-offset']).toBe(String(audio.length));

    for (const who of [people.ana, people.ben]) {
      const streamed = await getAudio(who.token, transcriptId);
      expect(streamed.status, describeResponse(streamed)).toBe(200);
      expect(streamed.headers['content-type']).toMatch(/^audio\/ogg/);
      expect((streamed.body as Buffer).length).toBe(audio.length);
      expect(sha256(streamed.body as Buffer)).toBe(sha256(audio));
    }

    // The partner's device learns of the audio through pulls.
    const ben = clientOf(server, people.ben, 'ben');
    const { transcript } = await pullUntilTranscript(ben, transcriptId, (t) => t.audio != null);
    const recorded = TranscriptAudioSchema.strict().parse(transcript.audio);
    expect(recorded).toMatchObject({ uploadId, size: audio.length, mimeType: 'audio/ogg' });
    expect(Math.abs(recorded.uploadedAt - Date.now())).toBeLessThan(60_000);

    const [row] = await uploadRows('id', uploadId);
    expect(row?.size).toBe(String(audio.length));
    expect(row?.completed_at).not.toBeNull();
    expect(row?.user_id).toBe(people.ana.userId);
  });

  it('lets tus-js-client resume by itself after the network drops mid-upload', async () => {
    const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
    const audio = randomBytes(1536 * 1024);
    const proxy = await startDroppingProxy(server.url, 512 * 1024);
    try {
      const uploadUrl = await new Promise<string>((resolve, reject) => {
        const guard = setTimeout(() => reject(new Error('tus-js-client did not finish within 20 s')), 20_000);
        const upload = new Upload(audio, {
          endpoint: `${proxy.url}/api/uploads`,
          headers: { Authorization: bearer(people.ana.token) },
          metadata: { transcriptId, filetype: 'audio/mpeg', filename: 'walk.mp3' },
          retryDelays: [0, 200, 500, 1000],
          onError: (error) => {
            clearTimeout(guard);
            reject(error);
          },
          onSuccess: () => {
            clearTimeout(guard);
            resolve(upload.url ?? '');
          },
        });
        upload.start();
      });
      expect(proxy.drops, 'the proxy cut the upload once').toBe(1);
      expect(proxy.patchOffsets[0]).toBe(0);
      const resumedAt = proxy.patchOffsets.slice(1);
      expect(resumedAt.length, `PATCH offsets ${JSON.stringify(proxy.patchOffsets)}`).toBeGreaterThan(0);
      expect(
        resumedAt.some((offset) => offset > 0),
        'the client resumed where the server stood, not from 0',
      ).toBe(true);

      const uploadId = uploadUrl.split('/').pop() as string;
      const streamed = await getAudio(people.ben.token, transcriptId);
      expect(streamed.status, describeResponse(streamed)).toBe(200);
      expect(sha256(streamed.body as Buffer)).toBe(sha256(audio));
      const ben = clientOf(server, people.ben, 'ben');
      const { transcript } = await pullUntilTranscript(ben, transcriptId, (t) => t.audio?.uploadId === uploadId);
      expect(transcript.audio).toMatchObject({ size: audio.length, mimeType: 'audio/mpeg' });
    } finally {
      await proxy.close();
    }
  });

  it('replaces the earlier audio of a transcript recorded again', async () => {
    const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
    const upload = async (bytes: Buffer) => {
      const created = await createUpload(server, people.ben.token, {
        length: bytes.length,
        metadata: { transcriptId, filetype: 'audio/wav' },
      });
      expect(created.response.status, created.response.body).toBe(201);
      const done = await patchUpload(server, people.ben.token, created.path as string, 0, bytes);
      expect(done.status, done.body).toBe(204);
      return created.uploadId as string;
    };
    const first = await upload(randomBytes(10_000));
    const secondBytes = randomBytes(12_000);
    const second = await upload(secondBytes);

    const state = await freshState(server, people.ana.token);
    expect(entityIn(state, 'transcript', transcriptId)?.audio).toMatchObject({ uploadId: second, size: 12_000 });
    const streamed = await getAudio(people.ana.token, transcriptId);
    expect(sha256(streamed.body as Buffer)).toBe(sha256(secondBytes));
    expect(await uploadRows('id', first)).toEqual([]);
    expect(await storedUpload(server.databaseUrl, first)).toEqual(nothingStored);
    expect((await storedUpload(server.databaseUrl, second)).chunkBytes).toBe(12_000);
  });

  describe('refusals', () => {
    it('answers 401 without a valid token, on every tus call and on the audio stream', async () => {
      const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
      const metadata = { transcriptId, filetype: 'audio/ogg' };
      expectTusError((await createUpload(server, null, { length: 100, metadata })).response, 401, 'unauthorized');
      expectTusError((await createUpload(server, 'not-a-token', { length: 100, metadata })).response, 401, 'unauthorized');

      const created = await createUpload(server, people.ana.token, { length: 100, metadata });
      expect(created.response.status).toBe(201);
      const uploadPath = created.path as string;
      expect((await headUpload(server, null, uploadPath)).status).toBe(401);
      expect((await patchUpload(server, null, uploadPath, 0, randomBytes(100))).status).toBe(401);
      expect(Number((await headUpload(server, people.ana.token, uploadPath)).headers['upload-offset'])).toBe(0);

      const audio = await getAudio(null, transcriptId);
      expect(audio.status, describeResponse(audio)).toBe(401);
      expect(audio.body?.error?.code).toBe('unauthorized');
    });

    it("answers 403 for a transcript of someone else's space, exactly as for one that does not exist", async () => {
      const foreign = await transcriptOf(people.ana, people.ana.personalSpaceId);
      const shared = await transcriptOf(people.ana, people.sharedSpaceId);
      const before = await storedUploadIds(server.databaseUrl);

      const answers: TusResponse[] = [];
      for (const transcriptId of [foreign, shared, newId()]) {
        const { response } = await createUpload(server, outsider.token, { length: 100, metadata: { transcriptId, filetype: 'audio/ogg' } });
        expectTusError(response, 403, 'forbidden');
        answers.push(response);
      }
      // Nothing tells a foreign transcript from a missing one: same body, no ids of the space.
      expect(new Set(answers.map((a) => a.body)).size).toBe(1);
      for (const answer of answers) {
        expect(answer.body).not.toContain(people.ana.personalSpaceId);
        expect(answer.body).not.toContain(people.sharedSpaceId);
        expect(answer.body).not.toContain(foreign);
      }
      // Ben may not upload into Ana's personal space either.
      expectTusError(
        (await createUpload(server, people.ben.token, { length: 100, metadata: { transcriptId: foreign, filetype: 'audio/ogg' } }))
          .response,
        403,
        'forbidden',
      );

      expect(await uploadRows('transcript_id', foreign)).toEqual([]);
      expect(await uploadRows('transcript_id', shared)).toEqual([]);
      expect(await storedUploadIds(server.databaseUrl)).toEqual(before);
      // The audio of a foreign transcript is not found either, not forbidden.
      expect((await getAudio(outsider.token, foreign)).status).toBe(404);
    });

    it('answers 400 for a file type that is not audio', async () => {
      const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
      for (const metadata of [
        { transcriptId, filetype: 'text/plain' },
        { transcriptId, filetype: 'application/octet-stream' },
        { transcriptId, filetype: 'video/mp4' },
        { transcriptId, filetype: 'audio' },
        { transcriptId },
      ]) {
        const { response } = await createUpload(server, people.ana.token, { length: 100, metadata });
        expectTusError(response, 400, 'invalid_body');
      }
      expect(await uploadRows('transcript_id', transcriptId)).toEqual([]);
      // With parameters, an audio type is fine.
      const ok = await createUpload(server, people.ana.token, {
        length: 100,
        metadata: { transcriptId, filetype: 'audio/webm;codecs=opus' },
      });
      expect(ok.response.status, ok.response.body).toBe(201);
    });

    it('answers 413 for an upload over the size limit, declared up front or sent with a deferred length', async () => {
      const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
      const metadata = { transcriptId, filetype: 'audio/ogg' };
      const tooLarge = await createUpload(server, people.ana.token, { length: MAX_BYTES + 1, metadata });
      expect(tooLarge.response.status, tooLarge.response.body).toBe(413);
      expect(tooLarge.response.headers.location).toBeUndefined();
      expect(await uploadRows('transcript_id', transcriptId)).toEqual([]);

      const atLimit = await createUpload(server, people.ana.token, { length: MAX_BYTES, metadata });
      expect(atLimit.response.status, atLimit.response.body).toBe(201);

      // A deferred length cannot dodge the limit: the bytes past it are refused.
      const deferred = await createUpload(server, people.ana.token, { length: 'deferred', metadata });
      expect(deferred.response.status, deferred.response.body).toBe(201);
      const over = await patchUpload(server, people.ana.token, deferred.path as string, 0, randomBytes(MAX_BYTES + 1), {
        'Upload-Length': String(MAX_BYTES + 1),
      });
      expect(over.status, over.body).toBe(413);
      const head = await headUpload(server, people.ana.token, deferred.path as string);
      expect(Number(head.headers['upload-offset'] ?? 0)).toBeLessThanOrEqual(MAX_BYTES);
      expect(entityIn(await freshState(server, people.ana.token), 'transcript', transcriptId)?.audio ?? null).toBeNull();
    });

    it("answers tus's own refusals (size limit, wrong offset) with the protocol's error body", async () => {
      const transcriptId = await transcriptOf(people.ana, people.sharedSpaceId);
      const metadata = { transcriptId, filetype: 'audio/ogg' };
      const tooLarge = await createUpload(server, people.ana.token, { length: MAX_BYTES + 1, metadata });
      expectTusError(tooLarge.response, 413, 'payload_too_large');

      const created = await createUpload(server, people.ana.token, { length: 10, metadata });
      expect(created.response.status).toBe(201);
      const conflict = await patchUpload(server, people.ana.token, created.path as string, 5, randomBytes(5));
      expect(conflict.status, conflict.body).toBe(409);
      expect(errorCodeOf(conflict), `409 body: ${conflict.body}`).not.toBeNull();
    });

    it('answers 404 for an upload id of another user, as for an unknown one, and leaves the upload alone', async () => {
      const transcriptId = await transcriptOf(people.ana, people.ana.personalSpaceId);
      const bytes = randomBytes(4000);
      const created = await createUpload(server, people.ana.token, {
        length: bytes.length,
        metadata: { transcriptId, filetype: 'audio/ogg' },
      });
      expect(created.response.status).toBe(201);
      const uploadPath = created.path as string;
      expect((await patchUpload(server, people.ana.token, uploadPath, 0, bytes.subarray(0, 1000))).status).toBe(204);

      for (const who of [outsider, people.ben]) {
        for (const target of [uploadPath, `/api/uploads/${newId()}`]) {
          // A HEAD answer has no body: its status and headers must not tell anything.
          const head = await headUpload(server, who.token, target);
          expect(head.status).toBe(404);
          expect(head.headers['upload-offset'], 'no offset leaks').toBeUndefined();
          expect(head.headers['upload-length'], 'no length leaks').toBeUndefined();
          expectTusError(await patchUpload(server, who.token, target, 1000, bytes.subarray(1000)), 404, 'not_found');
          expectTusError(await tusRequest(server, { method: 'DELETE', path: target, token: who.token }), 404, 'not_found');
        }
      }
      // Ana's upload is untouched and she can finish it.
      const head = await headUpload(server, people.ana.token, uploadPath);
      expect(head.headers['upload-offset']).toBe('1000');
      expect((await patchUpload(server, people.ana.token, uploadPath, 1000, bytes.subarray(1000))).status).toBe(204);
      const streamed = await getAudio(people.ana.token, transcriptId);
      expect(sha256(streamed.body as Buffer)).toBe(sha256(bytes));
      expect((await getAudio(outsider.token, transcriptId)).status).toBe(404);
      expect((await getAudio(people.ben.token, transcriptId)).status).toBe(404);
    });
  });
});
