/**
 * Helpers for the transcript tests: create and submit through pushes, poll pulls (bounded) until a
 * transcript reaches a state while recording every version of it the pulls delivered, and read the
 * pg-boss job rows of a transcript straight from Postgres.
 */
import { expect } from 'vitest';
import pg from 'pg';
import { TRANSCRIPT_STATUSES, type Transcript } from '@duet/shared';
import { sleep } from './api.ts';
import { entityIn, type SyncClient } from './sync-client.ts';

export interface SeenTranscript {
  version: number;
  status: Transcript['status'];
  submissions: number;
  deleted: boolean;
}

/** Pushes the client's outbox and expects every mutation in it to be applied. */
export async function pushApplied(client: SyncClient): Promise<void> {
  const sent = client.outbox.map((m) => m.id);
  const answer = await client.push();
  for (const id of sent) {
    const result = answer.results.find((r) => r.id === id);
    expect(result?.status, `mutation ${id}: ${JSON.stringify(result)}`).toBe('applied');
  }
}

export function createTranscript(
  client: SyncClient,
  args: { id: string; spaceId: string; text: string; language: string; durationMs?: number },
): void {
  client.mutate('transcript.create', args);
}

/**
 * Pulls every `intervalMs` until the transcript satisfies `done` (or throws after `timeoutMs`);
 * returns it and every version of it the pulls delivered along the way, in order.
 */
export async function pullUntilTranscript(
  client: SyncClient,
  id: string,
  done: (t: Transcript) => boolean,
  options: { timeoutMs?: number; intervalMs?: number; seen?: SeenTranscript[] } = {},
): Promise<{ transcript: Transcript; seen: SeenTranscript[] }> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const seen = options.seen ?? [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const catchUp = await client.pull();
    for (const change of catchUp.pages.flatMap((p) => p.changes)) {
      if (change.kind !== 'transcript' || change.id !== id) continue;
      const data = change.data as Transcript;
      seen.push({ version: change.version, status: data.status, submissions: data.submissions, deleted: change.deleted });
    }
    const transcript = entityIn(client.state, 'transcript', id);
    if (transcript && done(transcript)) return { transcript, seen };
    if (Date.now() > deadline) {
      throw new Error(
        `transcript ${id} did not reach the expected state within ${timeoutMs} ms; last: ${JSON.stringify(transcript)}; seen: ${JSON.stringify(seen)}`,
      );
    }
    await sleep(options.intervalMs ?? 100);
  }
}

/** Status owned by the server moves forward only: (submissions, status) never goes back. */
export function expectForwardOnly(seen: readonly SeenTranscript[]): void {
  const rank = (s: SeenTranscript) => s.submissions * 10 + TRANSCRIPT_STATUSES.indexOf(s.status);
  for (let i = 1; i < seen.length; i++) {
    const before = seen[i - 1] as SeenTranscript;
    const after = seen[i] as SeenTranscript;
    expect(after.version, `versions increase: ${JSON.stringify(seen)}`).toBeGreaterThan(before.version);
    expect(rank(after), `status went back from ${JSON.stringify(before)} to ${JSON.stringify(after)}`).toBeGreaterThanOrEqual(rank(before));
  }
}

export async function queryDatabase<R extends pg.QueryResultRow>(databaseUrl: string, text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export interface JobRow {
  state: string;
  retry_count: number;
  submission: number;
}

/** The pg-boss jobs of one transcript, live or archived, oldest first. */
export function analysisJobsOf(databaseUrl: string, transcriptId: string): Promise<JobRow[]> {
  return queryDatabase<JobRow>(
    databaseUrl,
    `SELECT state::text AS state, retry_count, (data->>'submission')::int AS submission, created_on FROM pgboss.job
       WHERE name = 'transcript-analysis' AND data->>'transcriptId' = $1
     UNION ALL
     SELECT state::text, retry_count, (data->>'submission')::int, created_on FROM pgboss.archive
       WHERE name = 'transcript-analysis' AND data->>'transcriptId' = $1
     ORDER BY created_on`,
    [transcriptId],
  );
}

/**
 * The analysis jobs of a transcript once pg-boss has settled them: the worker's last write to the
 * transcript commits before pg-boss marks its job completed, so a test that saw `done` may still
 * find the job active for a moment.
 */
export async function settledAnalysisJobsOf(databaseUrl: string, transcriptId: string, timeoutMs = 10_000): Promise<JobRow[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const jobs = await analysisJobsOf(databaseUrl, transcriptId);
    const settled = jobs.every((j) => j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled');
    if (settled || Date.now() > deadline) return jobs;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
