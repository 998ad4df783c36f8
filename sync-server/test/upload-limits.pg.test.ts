// Upload abuse limits and the tus routes' answers, on the real Postgres: a user may keep only a few
// unfinished uploads (429 too_many_uploads with Retry-After), unfinished uploads expire and their
// bytes are deleted, the audio a user stores is capped (413 audio_quota_exceeded); every refusal
// is a JSON protocol error, nothing allows other origins, and an upload is its uploader's alone.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema, newId } from '@duet/shared';
import type { Config } from '../src/config.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { account, clientOf, couple, type Account } from './support/accounts.ts';
import { bearer, sleep } from './support/api.ts';
import { createTranscript, pushApplied, queryDatabase } from './support/transcript-watch.ts';
import { createUpload, headUpload, patchUpload, tusRequest, type TusResponse } from './support/tus-http.ts';
import { nothingStored, storedUpload } from './support/upload-store.ts';

const MAX_BYTES = 1024 * 1024;
const QUOTA = 300_000;
const MAX_UNFINISHED = 3;

/** Asserts a JSON protocol error body with this status and code (and the request id). */
function expectJsonError(response: TusResponse, status: number, code: string): void {
  expect(response.status, `${response.status} ${response.body}`).toBe(status);
  expect(response.headers['content-type'] ?? '', `content type of ${response.status} ${response.body}`).toMatch(/^application\/json/);
  const parsed = ErrorBodySchema.safeParse(JSON.parse(response.body || 'null'));
  expect(parsed.success, response.body).toBe(true);
  expect(parsed.data?.error.code, response.body).toBe(code);
  expect(response.headers['x-request-id']).toBeTruthy();
}

interface Setup {
  server: TestServer;
  dataDir: string;
}

async function startWith(uploadLimits: Config['uploadLimits']): Promise<Setup> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-upload-limits-'));
  const server = await startTestServer({ dataDir, uploadMaxBytes: MAX_BYTES, uploadLimits });
  return { server, dataDir };
}

async function stop(setup: Setup | undefined): Promise<void> {
  await setup?.server.close();
  if (setup?.dataDir) await rm(setup.dataDir, { recursive: true, force: true });
}

async function transcriptOf(server: TestServer, who: Account, spaceId = who.personalSpaceId): Promise<string> {
  const client = clientOf(server, who, 'up');
  const id = newId();
  createTranscript(client, { id, spaceId, text: 'Recorded with audio.', language: 'en' });
  await pushApplied(client);
  return id;
}

const uploadRowsOf = (server: TestServer, userId: string) =>
  queryDatabase<{ id: string }>(server.databaseUrl, 'SELECT id FROM uploads WHERE user_id = $1', [userId]);

describe('upload limits', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startWith({ maxUnfinishedPerUser: MAX_UNFINISHED, expireSec: 3600, quotaBytesPerUser: QUOTA });
  });
  afterAll(() => stop(setup));

  it('refuses an unfinished upload past the per-user limit with 429 too_many_uploads and Retry-After; cancelling or finishing one frees a place', async () => {
    const { server } = setup;
    const ana = await account(server, 'Ana');
    const olga = await account(server, 'Olga');
    const transcriptId = await transcriptOf(server, ana);
    const metadata = { transcriptId, filetype: 'audio/ogg' };
    const open = [];
    for (let i = 0; i < MAX_UNFINISHED; i++) {
      const created = await createUpload(server, ana.token, { length: 1000, metadata });
      expect(created.response.status, created.response.body).toBe(201);
      open.push(created);
    }
    const rowsBefore = await uploadRowsOf(server, ana.userId);
    const refused = await createUpload(server, ana.token, { length: 1000, metadata });
    expectJsonError(refused.response, 429, 'too_many_uploads');
    expect(refused.response.headers.location).toBeUndefined();
    const retryAfter = Number(refused.response.headers['retry-after']);
    expect(retryAfter >= 1 && retryAfter <= 3600, `Retry-After ${refused.response.headers['retry-after']}`).toBe(true);
    expect(JSON.parse(refused.response.body).error.details.retryAfterSec).toBe(retryAfter);
    expect(await uploadRowsOf(server, ana.userId)).toEqual(rowsBefore);

    // Another user is not held back.
    const olgaTranscript = await transcriptOf(server, olga);
    expect(
      (await createUpload(server, olga.token, { length: 1000, metadata: { transcriptId: olgaTranscript, filetype: 'audio/ogg' } })).response
        .status,
    ).toBe(201);

    // Cancelling one frees its place, and its bytes go.
    const cancelled = open[0]?.uploadId as string;
    expect((await tusRequest(server, { method: 'DELETE', path: `/api/uploads/${cancelled}`, token: ana.token })).status).toBe(204);
    expect(await storedUpload(server.databaseUrl, cancelled)).toEqual(nothingStored);
    const afterCancel = await createUpload(server, ana.token, { length: 1000, metadata });
    expect(afterCancel.response.status, afterCancel.response.body).toBe(201);
    expectJsonError((await createUpload(server, ana.token, { length: 1000, metadata })).response, 429, 'too_many_uploads');

    // Finishing one frees its place too.
    expect((await patchUpload(server, ana.token, open[1]?.path as string, 0, randomBytes(1000))).status).toBe(204);
    expect((await createUpload(server, ana.token, { length: 1000, metadata })).response.status).toBe(201);
  });

  it('lets no more than the limit through when one user creates uploads in parallel', async () => {
    const { server } = setup;
    const eve = await account(server, 'Eve');
    const transcriptId = await transcriptOf(server, eve);
    const answers = await Promise.all(
      Array.from({ length: MAX_UNFINISHED * 2 }, () =>
        createUpload(server, eve.token, { length: 1000, metadata: { transcriptId, filetype: 'audio/ogg' } }),
      ),
    );
    const statuses = answers.map((a) => a.response.status).sort();
    expect(statuses).toEqual([...Array(MAX_UNFINISHED).fill(201), ...Array(MAX_UNFINISHED).fill(429)]);
    expect(await uploadRowsOf(server, eve.userId)).toHaveLength(MAX_UNFINISHED);
  });

  it('caps the audio a user stores with 413 audio_quota_exceeded, counting a re-recording of the same transcript once', async () => {
    const { server } = setup;
    const cleo = await account(server, 'Cleo');
    const first = await transcriptOf(server, cleo);
    const second = await transcriptOf(server, cleo);
    const stored = await createUpload(server, cleo.token, { length: 200_000, metadata: { transcriptId: first, filetype: 'audio/ogg' } });
    expect((await patchUpload(server, cleo.token, stored.path as string, 0, randomBytes(200_000))).status).toBe(204);

    const over = await createUpload(server, cleo.token, { length: 150_000, metadata: { transcriptId: second, filetype: 'audio/ogg' } });
    expectJsonError(over.response, 413, 'audio_quota_exceeded');
    expect(over.response.headers.location).toBeUndefined();
    // A deferred length counts as the largest upload until it is known.
    expectJsonError(
      (await createUpload(server, cleo.token, { length: 'deferred', metadata: { transcriptId: second, filetype: 'audio/ogg' } })).response,
      413,
      'audio_quota_exceeded',
    );
    // What still fits is accepted, and a new recording of the first transcript replaces its audio.
    expect(
      (await createUpload(server, cleo.token, { length: 100_000, metadata: { transcriptId: second, filetype: 'audio/ogg' } })).response
        .status,
    ).toBe(201);
    const again = await createUpload(server, cleo.token, { length: 190_000, metadata: { transcriptId: first, filetype: 'audio/ogg' } });
    expect(again.response.status, again.response.body).toBe(201);
  });
});

describe('upload expiry', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startWith({ maxUnfinishedPerUser: 1, expireSec: 1, quotaBytesPerUser: QUOTA });
  });
  afterAll(() => stop(setup));

  it('announces Upload-Expires, then deletes an unfinished upload and its bytes, and frees its place', async () => {
    const { server } = setup;
    const ana = await account(server, 'Ana');
    const transcriptId = await transcriptOf(server, ana);
    const metadata = { transcriptId, filetype: 'audio/ogg' };
    const created = await createUpload(server, ana.token, { length: 10_000, metadata });
    expect(created.response.status).toBe(201);
    expect(Number.isNaN(Date.parse(String(created.response.headers['upload-expires'])))).toBe(false);
    const uploadId = created.uploadId as string;
    expect((await patchUpload(server, ana.token, created.path as string, 0, randomBytes(4000))).status).toBe(204);
    expect(await storedUpload(server.databaseUrl, uploadId)).toMatchObject({ recorded: true, storedBytes: 4000, chunkBytes: 4000 });
    expectJsonError((await createUpload(server, ana.token, { length: 10_000, metadata })).response, 429, 'too_many_uploads');

    const deadline = Date.now() + 15_000;
    while (
      ((await storedUpload(server.databaseUrl, uploadId)).recorded || (await uploadRowsOf(server, ana.userId)).length > 0) &&
      Date.now() < deadline
    ) {
      await sleep(200);
    }
    expect(await storedUpload(server.databaseUrl, uploadId), 'the chunks and the tus record are deleted').toEqual(nothingStored);
    expect(await uploadRowsOf(server, ana.userId)).toEqual([]);
    expect((await headUpload(server, ana.token, created.path as string)).status).toBe(404);
    expectJsonError(await patchUpload(server, ana.token, created.path as string, 4000, randomBytes(6000)), 404, 'not_found');
    expect((await createUpload(server, ana.token, { length: 10_000, metadata })).response.status).toBe(201);
  });
});

describe('the tus routes', () => {
  let setup: Setup;
  beforeAll(async () => {
    setup = await startWith({ maxUnfinishedPerUser: 10, expireSec: 3600, quotaBytesPerUser: 100 * MAX_BYTES });
  });
  afterAll(() => stop(setup));

  it('allows no other origin', async () => {
    const { server } = setup;
    const ana = await account(server, 'Ana');
    const transcriptId = await transcriptOf(server, ana);
    const origin = { Origin: 'https://elsewhere.example' };
    const preflight = await tusRequest(server, {
      method: 'OPTIONS',
      path: '/api/uploads',
      headers: { ...origin, 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    const created = await tusRequest(server, {
      method: 'POST',
      path: '/api/uploads',
      token: ana.token,
      headers: {
        ...origin,
        'Upload-Length': '10',
        'Upload-Metadata': `transcriptId ${Buffer.from(transcriptId).toString('base64')},filetype ${Buffer.from('audio/ogg').toString('base64')}`,
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-origin']).toBeUndefined();
    const refused = await tusRequest(server, { method: 'HEAD', path: '/api/uploads/nope', token: null, headers: origin });
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('answers every refusal with a JSON protocol error body', async () => {
    const { server } = setup;
    const ana = await account(server, 'Ana');
    const transcriptId = await transcriptOf(server, ana);
    const metadata = { transcriptId, filetype: 'audio/ogg' };
    // Refusals @tus/server makes before any hook: no Tus-Resumable, an invalid header, an unknown method.
    expectJsonError(
      await tusRequest(server, {
        method: 'POST',
        path: '/api/uploads',
        token: ana.token,
        headers: { 'Tus-Resumable': '', 'Upload-Length': '10' },
      }),
      412,
      'invalid_body',
    );
    expectJsonError(
      await tusRequest(server, { method: 'POST', path: '/api/uploads', token: ana.token, headers: { 'Upload-Length': 'ten' } }),
      400,
      'invalid_body',
    );
    const put = await request(server.url)
      .put(`/api/uploads/${newId()}`)
      .set('Tus-Resumable', '1.0.0')
      .set('Authorization', bearer(ana.token));
    expectJsonError({ status: put.status, headers: put.headers, body: put.text }, 404, 'not_found');
    // The hooks' refusals and tus's own.
    expectJsonError((await createUpload(server, null, { length: 10, metadata })).response, 401, 'unauthorized');
    expectJsonError(
      (await createUpload(server, ana.token, { length: 10, metadata: { transcriptId: newId(), filetype: 'audio/ogg' } })).response,
      403,
      'forbidden',
    );
    expectJsonError(
      (await createUpload(server, ana.token, { length: 10, metadata: { transcriptId, filetype: 'text/plain' } })).response,
      400,
      'invalid_body',
    );
    expectJsonError((await createUpload(server, ana.token, { length: MAX_BYTES + 1, metadata })).response, 413, 'payload_too_large');
    expectJsonError(await patchUpload(server, ana.token, `/api/uploads/${newId()}`, 0, randomBytes(10)), 404, 'not_found');
    const created = await createUpload(server, ana.token, { length: 10, metadata });
    expectJsonError(await patchUpload(server, ana.token, created.path as string, 5, randomBytes(5)), 409, 'invalid_body');
    // A finished upload is the transcript's audio: tus cannot delete it.
    expect((await patchUpload(server, ana.token, created.path as string, 0, randomBytes(10))).status).toBe(204);
    expectJsonError(await tusRequest(server, { method: 'DELETE', path: created.path as string, token: ana.token }), 400, 'invalid_body');
    const audio = await request(server.url).get(`/api/transcripts/${transcriptId}/audio`).set('Authorization', bearer(ana.token));
    expect(audio.status).toBe(200);
  });

  it("answers a partner's HEAD, PATCH and DELETE on the other's upload in their shared space with 404, as for an unknown one", async () => {
    const { server } = setup;
    const people = await couple(server);
    const transcriptId = await transcriptOf(server, people.ana, people.sharedSpaceId);
    const bytes = randomBytes(2000);
    const created = await createUpload(server, people.ana.token, {
      length: bytes.length,
      metadata: { transcriptId, filetype: 'audio/ogg' },
    });
    expect(created.response.status).toBe(201);
    const uploadPath = created.path as string;
    expect((await patchUpload(server, people.ana.token, uploadPath, 0, bytes.subarray(0, 500))).status).toBe(204);

    const head = await headUpload(server, people.ben.token, uploadPath);
    expect(head.status).toBe(404);
    expect(head.headers['upload-offset'], 'no offset leaks').toBeUndefined();
    expect(head.headers['upload-length'], 'no length leaks').toBeUndefined();
    expectJsonError(await patchUpload(server, people.ben.token, uploadPath, 500, bytes.subarray(500)), 404, 'not_found');
    expectJsonError(await tusRequest(server, { method: 'DELETE', path: uploadPath, token: people.ben.token }), 404, 'not_found');

    // Ana's upload is untouched; once finished, both partners hear it through the transcript.
    expect((await headUpload(server, people.ana.token, uploadPath)).headers['upload-offset']).toBe('500');
    expect((await patchUpload(server, people.ana.token, uploadPath, 500, bytes.subarray(500))).status).toBe(204);
    const audio = await request(server.url).get(`/api/transcripts/${transcriptId}/audio`).set('Authorization', bearer(people.ben.token));
    expect(audio.status).toBe(200);
  });
});
