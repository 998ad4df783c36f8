// Analysis jobs under one user's burst, on the real Postgres: a user may have only so many
// transcripts waiting or running (a submit past that is rejected with too_many_jobs and the batch
// goes on), and the queue takes every user's earlier jobs first, so another user's transcript
// does not wait behind the whole burst.
//
// To order jobs deterministically the tests hold the server's single worker on a job of their own:
// they lock the space row of Cleo's submitted transcript, so the worker, which writes `processing`
// under that lock, waits until they let go.
import { newId } from '@duet/shared';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from './harness.ts';
import { account, clientOf, startWithAccounts, type Account } from './support/accounts.ts';
import { login, sleep } from './support/api.ts';
import type { SyncClient } from './support/sync-client.ts';
import { createTranscript, pullUntilTranscript, pushApplied, queryDatabase } from './support/transcript-watch.ts';

const LIMIT = 6;
const TEXT = 'Ana: We walked by the river.\nBen: It was lovely.';

describe('analysis jobs: per-user limit and fair order', () => {
  let server: TestServer;
  let cleo: Account;
  let held: pg.Client | null = null;

  beforeAll(async () => {
    ({ server, accounts: cleo } = await startWithAccounts((started) => account(started, 'Cleo'), {
      jobMaxInFlightPerUser: LIMIT,
      jobs: { retryLimit: 0, retryDelaySec: 1, expireSec: 30 },
    }));
  });
  afterEach(async () => {
    await releaseWorker();
  });
  afterAll(async () => {
    await releaseWorker();
    await server?.close();
  });

  const transcriptStatus = async (id: string) =>
    (
      await queryDatabase<{ status: string }>(
        server.databaseUrl,
        "SELECT data->>'status' AS status FROM entities WHERE kind = 'transcript' AND id = $1",
        [id],
      )
    )[0]?.status;
  const jobStates = async (id: string) =>
    (
      await queryDatabase<{ state: string }>(
        server.databaseUrl,
        "SELECT state::text AS state FROM pgboss.job WHERE data->>'transcriptId' = $1",
        [id],
      )
    ).map((r) => r.state);

  /** Submits a transcript of Cleo's and keeps the worker waiting on it (see the file comment). */
  async function holdWorker(): Promise<void> {
    const client = clientOf(server, cleo, 'cleo');
    for (let attempt = 0; attempt < 3; attempt++) {
      const id = newId();
      createTranscript(client, { id, spaceId: cleo.personalSpaceId, text: TEXT, language: 'en' });
      client.mutate('transcript.submit', { id });
      await pushApplied(client);
      const lock = new pg.Client({ connectionString: server.databaseUrl });
      await lock.connect();
      await lock.query('BEGIN');
      await lock.query('SELECT id FROM spaces WHERE id = $1 FOR UPDATE', [cleo.personalSpaceId]);
      held = lock;
      // The worker took the job (active) and cannot have written `processing` past our lock.
      for (let i = 0; i < 50; i++) {
        if ((await jobStates(id)).includes('active') && (await transcriptStatus(id)) === 'queued') return;
        if ((await transcriptStatus(id)) !== 'queued') break;
        await sleep(100);
      }
      // The worker was faster than the lock: try again with a new one.
      await releaseWorker();
    }
    throw new Error('could not hold the worker on a job');
  }

  async function releaseWorker(): Promise<void> {
    const lock = held;
    held = null;
    if (!lock) return;
    await lock.query('ROLLBACK').catch(() => {});
    await lock.end().catch(() => {});
  }

  /** Creates and submits `count` transcripts in one push; returns their ids and the push's results. */
  async function submitMany(client: SyncClient, spaceId: string, count: number) {
    const ids = Array.from({ length: count }, () => newId());
    for (const id of ids) createTranscript(client, { id, spaceId, text: TEXT, language: 'en' });
    const submits = ids.map((id) => client.mutate('transcript.submit', { id }));
    // One more mutation after the submits, in the same push.
    const trailing = client.mutate('session.start', { id: newId(), startedAt: Date.now() });
    const answer = await client.push();
    const statusOf = (envelopeId: number) => answer.results.find((r) => r.id === envelopeId);
    return { ids, results: submits.map((s) => statusOf(s.id)), trailing: statusOf(trailing.id) };
  }

  it('rejects submits past the per-user limit with too_many_jobs, counting earlier pushes, and goes on with the batch', async () => {
    const dora = await account(server, 'Dora');
    const client = clientOf(server, dora, 'dora');
    await holdWorker();

    const first = await submitMany(client, dora.personalSpaceId, 4);
    expect(first.results.map((r) => r?.status)).toEqual(['applied', 'applied', 'applied', 'applied']);

    // Four are in flight: two more fit, the rest of this push's submits are refused.
    const second = await submitMany(client, dora.personalSpaceId, 4);
    expect(second.trailing?.status, 'the batch goes on after a refused submit').toBe('applied');
    expect(second.results.map((r) => r?.status)).toEqual(['applied', 'applied', 'rejected', 'rejected']);
    for (const refused of second.results.slice(2)) expect(refused?.error?.code).toBe('too_many_jobs');
    const refusedId = second.ids[3] as string;
    expect(await transcriptStatus(refusedId), 'a refused submit leaves its transcript a draft').toBe('draft');
    expect(await jobStates(refusedId)).toEqual([]);

    // Once the others are done the same transcript may be submitted again.
    await releaseWorker();
    for (const id of [...first.ids, ...second.ids.slice(0, 2)]) await pullUntilTranscript(client, id, (t) => t.status === 'done');
    client.mutate('transcript.submit', { id: refusedId });
    await pushApplied(client);
    const { transcript } = await pullUntilTranscript(client, refusedId, (t) => t.status === 'done');
    expect(transcript.result).not.toBeNull();
  });

  it('counts exactly when two devices of one user submit at the same time', async () => {
    const fay = await account(server, 'Fay');
    const phone = clientOf(server, fay, 'phone');
    const laptop = clientOf(server, { ...fay, token: (await login(server, fay.email, fay.password, 'laptop')).token }, 'laptop');
    await holdWorker();
    const [a, b] = await Promise.all([submitMany(phone, fay.personalSpaceId, 4), submitMany(laptop, fay.personalSpaceId, 4)]);
    const statuses = [...a.results, ...b.results].map((r) => r?.status);
    expect(statuses.filter((s) => s === 'applied')).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 'rejected')).toHaveLength(8 - LIMIT);
    await releaseWorker();
    for (const [index, id] of [...a.ids, ...b.ids].entries()) {
      if (statuses[index] === 'applied') await pullUntilTranscript(phone, id, (t) => t.status === 'done');
    }
  });

  it("runs another user's transcript before most of one user's earlier burst", async () => {
    const ana = await account(server, 'Ana');
    const ben = await account(server, 'Ben');
    const anaClient = clientOf(server, ana, 'ana');
    const benClient = clientOf(server, ben, 'ben');
    await holdWorker();

    const burst = await submitMany(anaClient, ana.personalSpaceId, LIMIT);
    expect(burst.results.every((r) => r?.status === 'applied')).toBe(true);
    const single = await submitMany(benClient, ben.personalSpaceId, 1);
    expect(single.results[0]?.status).toBe('applied');
    await releaseWorker();

    const benId = single.ids[0] as string;
    for (const id of burst.ids) await pullUntilTranscript(anaClient, id, (t) => t.status === 'done');
    await pullUntilTranscript(benClient, benId, (t) => t.status === 'done');
    // The order the worker finished them in (the analysis writes its result before pg-boss completes the job).
    const finished = await queryDatabase<{ transcript_id: string }>(
      server.databaseUrl,
      `SELECT data->>'transcriptId' AS transcript_id FROM pgboss.job
        WHERE name = 'transcript-analysis' AND data->>'transcriptId' = ANY($1::text[]) AND state = 'completed'
        ORDER BY completed_on`,
      [[...burst.ids, benId]],
    );
    expect(finished).toHaveLength(LIMIT + 1);
    const benPosition = finished.findIndex((row) => row.transcript_id === benId);
    // Fair: Ben's one job comes right after Ana's first, not after all six of hers.
    expect(benPosition, JSON.stringify(finished)).toBeLessThanOrEqual(1);
  });
});
