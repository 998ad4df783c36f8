// The embedded default (no DATABASE_URL, no REDIS_URL) keeps audio the way a deployment does: in
// the database (PGlite here), with nothing else to run. An upload resumed after a restart, then
// read back whole and in a range. Runs the real binary, so it sits with the .pg tests.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { signup } from './harness.ts';
import { bearer, describeResponse, personalSpaceId } from './support/api.ts';
import { killAllServerProcesses, startServerProcess } from './support/server-process.ts';
import { SyncClient } from './support/sync-client.ts';
import { createTranscript, pushApplied } from './support/transcript-watch.ts';
import { createUpload, headUpload, patchUpload } from './support/tus-http.ts';

/** PGlite starts slowly on a machine busy with other tests: a generous bound on each start. */
const START_TIMEOUT_MS = 150_000;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('audio on the embedded database', () => {
  let dataDir = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-embedded-audio-'));
  });
  afterAll(async () => {
    await killAllServerProcesses();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it(
    'keeps an unfinished upload across a restart, finishes it, and serves it whole and in a range',
    async () => {
      const env = { DATA_DIR: dataDir };
      const audio = randomBytes(1024 * 1024 + 777);
      let server = await startServerProcess(env, START_TIMEOUT_MS);
      try {
        const { token } = await signup(server, { displayName: 'Emma' });
        const client = new SyncClient(server, token, `emb-${newId()}`);
        const transcriptId = newId();
        createTranscript(client, { id: transcriptId, spaceId: await personalSpaceId(server, token), text: 'Dictated.', language: 'en' });
        await pushApplied(client);
        const created = await createUpload(server, token, { length: audio.length, metadata: { transcriptId, filetype: 'audio/webm' } });
        expect(created.response.status, created.response.body).toBe(201);
        const uploadPath = created.path as string;
        const half = 600_000;
        expect((await patchUpload(server, token, uploadPath, 0, audio.subarray(0, half))).status).toBe(204);

        const stopped = await server.stop('SIGTERM');
        expect(stopped.code, `exit code after SIGTERM:\n${server.output()}`).toBe(0);
        server = await startServerProcess(env, START_TIMEOUT_MS);

        expect((await headUpload(server, token, uploadPath)).headers['upload-offset']).toBe(String(half));
        const rest = await patchUpload(server, token, uploadPath, half, audio.subarray(half));
        expect(rest.status, rest.body).toBe(204);
        const whole = await request(server.url)
          .get(`/api/transcripts/${transcriptId}/audio`)
          .set('Authorization', bearer(token))
          .buffer(true);
        expect(whole.status, describeResponse(whole)).toBe(200);
        expect(sha256(whole.body as Buffer)).toBe(sha256(audio));
        const part = await request(server.url)
          .get(`/api/transcripts/${transcriptId}/audio`)
          .set('Authorization', bearer(token))
          .set('Range', 'bytes=500000-700000')
          .buffer(true);
        expect(part.status, describeResponse(part)).toBe(206);
        expect(part.headers['content-range']).toBe(`bytes 500000-700000/${audio.length}`);
        expect((part.body as Buffer).equals(audio.subarray(500_000, 700_001))).toBe(true);
        // The bytes are in the database, not in files beside it.
        expect(existsSync(path.join(dataDir, 'uploads'))).toBe(false);
      } finally {
        await server.stop('SIGTERM');
      }
    },
    3 * START_TIMEOUT_MS,
  );
});
