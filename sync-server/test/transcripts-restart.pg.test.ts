// Transcript jobs are durable: the real server binary is SIGKILLed right after a submit (its job
// waiting, or taken by the worker) and started again on the same database; the transcript still
// ends `done`, processed exactly once in effect.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '@duet/shared';
import { analyseTranscript } from '../src/jobs/transcript-analysis.ts';
import { createTestDatabase } from './harness.ts';
import { account, type Account } from './support/accounts.ts';
import { killAllServerProcesses, startServerProcess, type ServerProcess } from './support/server-process.ts';
import { SyncClient } from './support/sync-client.ts';
import {
  analysisJobsOf,
  settledAnalysisJobsOf,
  createTranscript,
  expectForwardOnly,
  pullUntilTranscript,
  pushApplied,
  queryDatabase,
} from './support/transcript-watch.ts';

const EXPIRE_SEC = 3;

describe('transcript jobs survive a crash of the server', () => {
  let database: { url: string; drop(): Promise<void> } | undefined;
  let dataDir: string | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-restart-'));
  });
  afterAll(async () => {
    await killAllServerProcesses();
    await database?.drop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  const env = () => ({
    DATABASE_URL: (database as { url: string }).url,
    DATA_DIR: dataDir as string,
    JOB_EXPIRE_SEC: String(EXPIRE_SEC),
    JOB_RETRY_LIMIT: '3',
    JOB_RETRY_DELAY_SEC: '1',
  });

  /** Starts a server, submits one transcript, SIGKILLs the server the moment the push is answered. */
  async function submitThenKill(text: string) {
    const server = await startServerProcess(env());
    try {
      const who = await account(server, 'Crash');
      const clientId = `crash-${newId()}`;
      const client = new SyncClient(server, who.token, clientId);
      const id = newId();
      createTranscript(client, { id, spaceId: who.personalSpaceId, text, language: 'en' });
      client.mutate('transcript.submit', { id });
      await pushApplied(client);
      const killed = await server.stop('SIGKILL');
      expect(killed.signal).toBe('SIGKILL');
      return { who, clientId, id };
    } finally {
      await server.stop('SIGKILL');
    }
  }

  async function expectDoneOnce(server: ServerProcess, run: { who: Account; clientId: string; id: string }, text: string) {
    // A new client of the same device store: it pulls from the beginning.
    const client = new SyncClient(server, run.who.token, run.clientId);
    const databaseUrl = (database as { url: string }).url;
    const { transcript, seen } = await pullUntilTranscript(client, run.id, (t) => t.status === 'done' || t.status === 'failed', {
      timeoutMs: 30_000,
      intervalMs: 200,
    }).catch(async (error: unknown) => {
      throw new Error(
        `${String(error)}\njobs: ${JSON.stringify(await analysisJobsOf(databaseUrl, run.id))}\nserver output:\n${server.output()}`,
      );
    });
    expect(transcript.status).toBe('done');
    expect(transcript.submissions).toBe(1);
    expect(transcript.error).toBeNull();
    expect(transcript.result).toEqual(analyseTranscript(text, 'en', null));
    expectForwardOnly(seen);
    // Exactly one job for the one submission, finished.
    const jobs = await settledAnalysisJobsOf(databaseUrl, run.id);
    expect(jobs, JSON.stringify(jobs)).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ state: 'completed', submission: 1 });
    return jobs[0];
  }

  it('finishes a job whose server was killed right after the submit', async () => {
    const text = 'We planned the trip to the mountains and the train tickets.';
    const run = await submitThenKill(text);
    const databaseUrl = (database as { url: string }).url;
    const atKill = await analysisJobsOf(databaseUrl, run.id);
    expect(atKill, 'the committed submit has its job').toHaveLength(1);

    const server = await startServerProcess(env());
    try {
      await expectDoneOnce(server, run, text);
    } finally {
      await server.stop('SIGKILL');
    }
  }, 90_000);

  it('retries a job the worker had taken when the server was killed, once it expires', async () => {
    const text = 'Ana: We should call your mother this weekend.\nBen: Sunday works for me.';
    const run = await submitThenKill(text);
    const databaseUrl = (database as { url: string }).url;
    // The kill can land before the worker's next poll (500 ms) took the job. Put the job where a
    // kill during its run would have left it: taken (active) by the dead worker, started just now.
    await queryDatabase(
      databaseUrl,
      `UPDATE pgboss.job SET state = 'active', started_on = now()
        WHERE name = 'transcript-analysis' AND data->>'transcriptId' = $1 AND state = 'created'`,
      [run.id],
    );
    const atKill = await analysisJobsOf(databaseUrl, run.id);
    expect(atKill.map((j) => j.state)).toEqual([expect.stringMatching(/^(active|completed)$/)]);

    const restartedAt = Date.now();
    const server = await startServerProcess(env());
    try {
      const job = await expectDoneOnce(server, run, text);
      if (atKill[0]?.state === 'active') {
        // It ran again only after JOB_EXPIRE_SEC, as a retry of the same job.
        expect(job?.retry_count).toBe(1);
        expect(Date.now() - restartedAt).toBeGreaterThanOrEqual((EXPIRE_SEC - 1) * 1000);
      }
    } finally {
      await server.stop('SIGKILL');
    }
  }, 90_000);
});
