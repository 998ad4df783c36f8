/**
 * The plan's monthly analyses, one push at a time: a `transcript.submit` that would queue a job
 * past the submitter's limit is rejected (`plan_limit_reached`) and the rest of the batch goes on;
 * the submits the batch did queue are counted in the push's own transaction (beforeCommit), so a
 * push that rolls back counts nothing. Kept apart from the write path: it only hooks into the
 * push's refuse/beforeCommit, next to SubmitAdmission.
 *
 * The read-then-count is exact because a push holds the lock of the user's personal space (two
 * pushes of one user never count at once), and the count itself is a guarded atomic upsert.
 */
import type { ErrorCode, Mutation } from '@duet/shared';
import type pg from 'pg';
import { queuesAJob } from '../jobs/submit-admission.ts';
import type { PgMutationTx } from '../sync/pg-mutation-tx.ts';
import type { Plans } from './plans.ts';

export class AnalysisAllowance {
  constructor(
    private readonly plans: Plans,
    private readonly userId: string,
  ) {}

  /** A rejection for a submit past the month's analyses; null lets it run. `submittedSoFar`: submits this batch already queued. */
  async refusal(
    client: pg.PoolClient,
    mutation: Mutation,
    tx: PgMutationTx,
    submittedSoFar: number,
  ): Promise<{ code: ErrorCode; message: string } | null> {
    if (!(await queuesAJob(mutation, tx))) return null;
    const refused = await this.plans.check(client, this.userId, 'analyses', submittedSoFar + 1);
    return refused ? { code: refused.code, message: refused.message } : null;
  }

  /** Counts the batch's queued submits, inside its transaction. */
  async record(client: pg.PoolClient, submitted: number): Promise<void> {
    if (submitted === 0) return;
    const refused = await this.plans.take(client, this.userId, 'analyses', submitted);
    // refusal() admitted each of them under the personal space's lock: past the limit here is a bug.
    if (refused) throw new Error(`analysis count would pass the plan's limit: ${refused.message}`);
  }
}
