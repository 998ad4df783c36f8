// Pending transcripts on the real Postgres: a submit is processed in the background by the durable
// job queue, and pulls deliver its status (forward only) and result; failures are retried, then
// reported; a re-submit processes the new text; a delete leaves a tombstone and removes the audio.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { analyseTranscript } from '../src/jobs/transcript-analysis.ts';
import type { TestServer } from './harness.ts';
import { clientOf, couple, startWithAccounts, type Couple } from './support/accounts.ts';
import { bearer, describeResponse, sleep } from './support/api.ts';
import { entityIn, freshState } from './support/sync-client.ts';
import { createUpload, patchUpload } from './support/tus-http.ts';
import { nothingStored, storedUpload } from './support/upload-store.ts';
import {
  analysisJobsOf,
  settledAnalysisJobsOf,
  createTranscript,
  expectForwardOnly,
  pullUntilTranscript,
  pushApplied,
  queryDatabase,
  type SeenTranscript,
} from './support/transcript-watch.ts';

const RETRY_LIMIT = 2;
const RETRY_DELAY_SEC = 1;

describe('pending transcripts: background processing', () => {
  let server: TestServer;
  let dataDir: string;
  let people: Couple;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-transcripts-'));
    ({ server, accounts: people } = await startWithAccounts(couple, {
      dataDir,
      jobs: { retryLimit: RETRY_LIMIT, retryDelaySec: RETRY_DELAY_SEC, expireSec: 30 },
    }));
  });
  afterAll(async () => {
    await server?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('processes a submitted transcript: pulls of both partners end with status done and the analysis', async () => {
    const ana = clientOf(server, people.ana, 'ana');
    const ben = clientOf(server, people.ben, 'ben');
    const id = newId();
    const text = 'Ana: I love our long walks by the river.\nBen: The river walks are the best part of my week.';
    createTranscript(ana, { id, spaceId: people.sharedSpaceId, text, language: 'en-GB', durationMs: 95_000 });
    ana.mutate('transcript.submit', { id });
    // A second submit while the first is waiting changes nothing.
    ana.mutate('transcript.submit', { id });
    await pushApplied(ana);

    const seenByBen: SeenTranscript[] = [];
    const benWatch = pullUntilTranscript(ben, id, (t) => t.status === 'done', { seen: seenByBen, intervalMs: 50 });
    const { transcript, seen } = await pullUntilTranscript(ana, id, (t) => t.status === 'done', { intervalMs: 50 });
    const forBen = (await benWatch).transcript;

    expect(transcript.submissions).toBe(1);
    expect(transcript.error).toBeNull();
    expect(transcript.result).toEqual(analyseTranscript(text, 'en-GB', 95_000));
    expect(transcript.result).toMatchObject({ language: 'en', durationMs: 95_000, durationEstimated: false, wordCount: 20 });
    expect(forBen).toEqual(transcript);
    expect(seen[0]?.status, 'the first pull after the push sees the submission').not.toBe('draft');
    expectForwardOnly(seen);
    expectForwardOnly(seenByBen);

    // One job for one submission, run once.
    const jobs = await settledAnalysisJobsOf(server.databaseUrl, id);
    expect(jobs).toEqual([expect.objectContaining({ state: 'completed', retry_count: 0, submission: 1 })]);
  });

  it('retries a failing analysis with backoff, then reports failed with the reason empty_text', async () => {
    const ana = clientOf(server, people.ana, 'ana');
    const id = newId();
    createTranscript(ana, { id, spaceId: people.ana.personalSpaceId, text: '', language: 'es' });
    ana.mutate('transcript.submit', { id });
    const submittedAt = Date.now();
    await pushApplied(ana);

    const { transcript, seen } = await pullUntilTranscript(ana, id, (t) => t.status === 'failed', { timeoutMs: 30_000 });
    const elapsedMs = Date.now() - submittedAt;
    expect(transcript).toMatchObject({ status: 'failed', error: 'empty_text', result: null, submissions: 1 });
    expectForwardOnly(seen);
    expect(
      seen.some((s) => s.status === 'processing'),
      'it stays processing while retries are pending',
    ).toBe(true);

    // pg-boss retried it RETRY_LIMIT times before the worker gave up (the last attempt finishes the job).
    const jobs = await settledAnalysisJobsOf(server.databaseUrl, id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.retry_count).toBe(RETRY_LIMIT);
    expect(['completed', 'failed']).toContain(jobs[0]?.state);
    // Backoff: the retries wait at least 1 s then 2 s (retryDelay * 2^n / 2, plus jitter).
    expect(elapsedMs).toBeGreaterThanOrEqual(2_500);

    // Fixing the text and submitting again recovers it.
    ana.mutate('transcript.update', { id, text: 'Hola, hoy hablamos de la playa.' });
    ana.mutate('transcript.submit', { id });
    await pushApplied(ana);
    const fixed = await pullUntilTranscript(ana, id, (t) => t.status === 'done', { seen });
    expect(fixed.transcript).toMatchObject({ submissions: 2, error: null });
    expect(fixed.transcript.result).toEqual(analyseTranscript('Hola, hoy hablamos de la playa.', 'es', null));
    expectForwardOnly(fixed.seen);
  }, 90_000);

  it('processes a done transcript again after an edit and a re-submit, with the new text', async () => {
    const ana = clientOf(server, people.ana, 'ana');
    const id = newId();
    const first = 'We talked about the holiday plans and the budget.';
    const second = 'Ana: The garden needs water.\nBen: The garden needs sun and the garden needs love.';
    createTranscript(ana, { id, spaceId: people.sharedSpaceId, text: first, language: 'en' });
    ana.mutate('transcript.submit', { id });
    await pushApplied(ana);
    const done = await pullUntilTranscript(ana, id, (t) => t.status === 'done');
    expect(done.transcript.result).toEqual(analyseTranscript(first, 'en', null));

    ana.mutate('transcript.update', { id, text: second });
    ana.mutate('transcript.submit', { id });
    await pushApplied(ana);
    const again = await pullUntilTranscript(ana, id, (t) => t.submissions === 2 && t.status === 'done', { seen: done.seen });
    expect(again.transcript.text).toBe(second);
    expect(again.transcript.error).toBeNull();
    expect(again.transcript.result).toEqual(analyseTranscript(second, 'en', null));
    expect(again.transcript.result).toMatchObject({
      speakers: [
        { name: 'Ana', turns: 1 },
        { name: 'Ben', turns: 1 },
      ],
      topWords: expect.arrayContaining([{ word: 'garden', count: 3 }]),
    });
    expectForwardOnly(again.seen);
    // The second submission went through queued with the old result cleared, never back to draft.
    const secondRun = again.seen.filter((s) => s.submissions === 2).map((s) => s.status);
    expect(secondRun).not.toContain('draft');
    expect(secondRun[secondRun.length - 1]).toBe('done');

    const jobs = await settledAnalysisJobsOf(server.databaseUrl, id);
    expect(jobs.map((j) => j.submission)).toEqual([1, 2]);
    expect(jobs.every((j) => j.state === 'completed' && j.retry_count === 0)).toBe(true);
  });

  it('never moves the status back, even when a device replays an old create of the same transcript', async () => {
    const ana = clientOf(server, people.ana, 'ana');
    const ben = clientOf(server, people.ben, 'ben');
    const id = newId();
    createTranscript(ana, { id, spaceId: people.sharedSpaceId, text: 'A quiet evening together.', language: 'en' });
    ana.mutate('transcript.submit', { id });
    await pushApplied(ana);
    const done = await pullUntilTranscript(ben, id, (t) => t.status === 'done');

    // Ben's device sends a create of the same id (an old outbox entry): an update of the text only.
    createTranscript(ben, { id, spaceId: people.sharedSpaceId, text: 'A quiet evening, just us.', language: 'en' });
    await pushApplied(ben);
    const after = await pullUntilTranscript(ben, id, (t) => t.text === 'A quiet evening, just us.', { seen: done.seen });
    expect(after.transcript.status).toBe('done');
    expect(after.transcript.submissions).toBe(1);
    expect(after.transcript.result).toEqual(done.transcript.result);
    expectForwardOnly(after.seen);
    expect(await analysisJobsOf(server.databaseUrl, id)).toHaveLength(1);
  });

  it('turns a deleted transcript into a tombstone for both partners and removes its audio', async () => {
    const ana = clientOf(server, people.ana, 'ana');
    const ben = clientOf(server, people.ben, 'ben');
    const id = newId();
    createTranscript(ana, { id, spaceId: people.sharedSpaceId, text: 'Something we would rather forget.', language: 'en' });
    await pushApplied(ana);

    const audio = Buffer.from(Array.from({ length: 48_000 }, (_, i) => (i * 31) % 256));
    const created = await createUpload(server, people.ana.token, {
      length: audio.length,
      metadata: { transcriptId: id, filetype: 'audio/webm' },
    });
    expect(created.response.status, created.response.body).toBe(201);
    const uploadPath = created.path as string;
    const uploadId = created.uploadId as string;
    const patched = await patchUpload(server, people.ana.token, uploadPath, 0, audio);
    expect(patched.status, patched.body).toBe(204);
    const withAudio = await pullUntilTranscript(ben, id, (t) => t.audio?.uploadId === uploadId);
    expect(withAudio.transcript.audio?.size).toBe(audio.length);
    const streamed = await request(server.url)
      .get(`/api/transcripts/${id}/audio`)
      .set('Authorization', bearer(people.ben.token))
      .buffer(true);
    expect(streamed.status, describeResponse(streamed)).toBe(200);
    expect(sha256(streamed.body as Buffer)).toBe(sha256(audio));
    expect((await storedUpload(server.databaseUrl, uploadId)).chunkBytes).toBe(audio.length);

    ana.mutate('transcript.delete', { id });
    await pushApplied(ana);

    for (const who of [people.ana, people.ben]) {
      const state = await freshState(server, who.token);
      const change = state.get(`transcript:${id}`);
      expect(change?.deleted, 'the transcript is a tombstone in pulls').toBe(true);
      const tombstone = entityIn(state, 'transcript', id);
      expect(tombstone?.deleted).toBe(true);
      expect(tombstone?.text).toBe('');
      expect(tombstone?.audio ?? null).toBeNull();

      const gone = await request(server.url).get(`/api/transcripts/${id}/audio`).set('Authorization', bearer(who.token));
      expect(gone.status, describeResponse(gone)).toBe(404);
      expect(gone.body?.error?.code).toBe('not_found');
    }
    // Ben's incremental pull delivers the tombstone too.
    const tomb = await pullUntilTranscript(ben, id, (t) => t.deleted === true);
    expect(tomb.transcript.text).toBe('');
    expectForwardOnly(tomb.seen);

    const rows = await queryDatabase(server.databaseUrl, 'SELECT id FROM uploads WHERE id = $1 OR transcript_id = $2', [uploadId, id]);
    expect(rows).toEqual([]);
    expect(await storedUpload(server.databaseUrl, uploadId), 'audio bytes and upload info removed').toEqual(nothingStored);
    const head = await request(server.url).head(uploadPath).set('Tus-Resumable', '1.0.0').set('Authorization', bearer(people.ana.token));
    expect(head.status).toBe(404);

    // Later edits and submits of the tombstone change nothing and start no job.
    ana.mutate('transcript.update', { id, text: 'back from the dead?' });
    ana.mutate('transcript.submit', { id });
    await pushApplied(ana);
    const still = entityIn(await freshState(server, people.ben.token), 'transcript', id);
    expect(still).toMatchObject({ deleted: true, text: '', status: 'draft', submissions: 0 });
    expect(await analysisJobsOf(server.databaseUrl, id)).toEqual([]);
  });

  it('does not process a transcript deleted while its job is waiting', async () => {
    const ana = clientOf(server, people.ana, 'ana');
    const id = newId();
    createTranscript(ana, { id, spaceId: people.ana.personalSpaceId, text: 'Deleted before the worker got to it.', language: 'en' });
    ana.mutate('transcript.submit', { id });
    ana.mutate('transcript.delete', { id });
    await pushApplied(ana);

    // Give the worker time to pick the job up and to run every retry a failure would cause.
    const deadline = Date.now() + 8_000;
    let jobs = await analysisJobsOf(server.databaseUrl, id);
    while (Date.now() < deadline && !jobs.every((j) => j.state === 'completed' || j.state === 'failed')) {
      await sleep(200);
      jobs = await analysisJobsOf(server.databaseUrl, id);
    }
    const tombstone = entityIn(await freshState(server, people.ana.token), 'transcript', id);
    expect(tombstone?.deleted).toBe(true);
    expect(tombstone?.text).toBe('');
    expect(tombstone?.result ?? null).toBeNull();
    // A tombstone is not analysed (its emptied text would only fail with empty_text after retries).
    expect(tombstone?.error ?? null, JSON.stringify({ tombstone, jobs })).toBeNull();
    expect(tombstone?.status, JSON.stringify({ tombstone, jobs })).not.toBe('failed');
    expect(
      jobs.every((j) => j.retry_count === 0),
      JSON.stringify(jobs),
    ).toBe(true);
  }, 30_000);
});

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
