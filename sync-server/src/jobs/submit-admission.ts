/**
 * Fair use of the analysis queue, one push at a time: a user may have at most `limit` transcripts
 * waiting or running, so a submit that would queue one more is rejected (`too_many_jobs`) and the
 * rest of the batch goes on. Each admitted job gets a priority below the user's earlier ones, and
 * the queue runs higher priorities first: a user's tenth job waits behind everyone else's first,
 * so one user's burst cannot starve another's transcript.
 *
 * The count is exact: a push holds the lock of the user's personal space, so two pushes of the
 * same user never count at once.
 */
import { ErrorCode, type Mutation } from '@duet/shared';
import type pg from 'pg';
import type { PgMutationTx } from '../sync/pg-mutation-tx.ts';
import type { TranscriptJobs } from './transcript-jobs.ts';

/** True for a `transcript.submit` that will queue a job: the same conditions as the mutator's. */
export async function queuesAJob(mutation: Mutation, tx: PgMutationTx): Promise<boolean> {
  if (mutation.name !== 'transcript.submit') return false;
  const current = await tx.get('transcript', mutation.args.id);
  if (!current || current.deleted || current.status === 'queued' || current.status === 'processing') return false;
  return tx.isMember(current.spaceId);
}

export class SubmitAdmission {
  /** The user's jobs in flight before this push, read at the first submit that needs it. */
  private inFlightBefore: number | null = null;

  constructor(
    private readonly jobs: TranscriptJobs,
    private readonly userId: string,
    private readonly limit: number,
  ) {}

  /**
   * A rejection for a submit that would start a new submission past the user's limit; null lets
   * the mutation run (anything else, and submits that queue nothing, are the mutator's to judge).
   */
  async refusal(
    client: pg.PoolClient,
    mutation: Mutation,
    tx: PgMutationTx,
    submittedSoFar: number,
  ): Promise<{ code: ErrorCode; message: string } | null> {
    if (!(await queuesAJob(mutation, tx))) return null;
    this.inFlightBefore ??= await this.jobs.inFlightOf(client, this.userId);
    if (this.inFlightBefore + submittedSoFar < this.limit) return null;
    return {
      code: ErrorCode.tooManyJobs,
      message: `at most ${this.limit} transcripts may wait for analysis at once; submit it again when some are done`,
    };
  }

  /** The queue priority of the batch's `index`-th submitted job (0-based): lower for each one the user has in flight. */
  priorityOf(index: number): number {
    return -((this.inFlightBefore ?? 0) + index);
  }
}
