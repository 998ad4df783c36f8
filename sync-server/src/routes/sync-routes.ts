/** Push and pull. */
import { ErrorCode, MAX_PUSH_MUTATIONS, PullRequestSchema, PushRequestSchema } from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import type { SyncCache } from '../cache/sync-cache.ts';
import type { ReadReplica } from '../db/read-replica.ts';
import type { ServerClock } from '../clock.ts';
import { AnalysisAllowance } from '../billing/analysis-allowance.ts';
import type { Plans } from '../billing/plans.ts';
import { SubmitAdmission } from '../jobs/submit-admission.ts';
import type { TranscriptJobs } from '../jobs/transcript-jobs.ts';
import type { SpaceWriter } from '../store/space-writer.ts';
import type { AudioUploads } from '../uploads/audio-uploads.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import type { Metrics } from '../http/metrics.ts';
import type { syncRateLimits } from '../http/sync-rate-limit.ts';
import { parseBody } from '../http/validate.ts';
import { pullChanges } from '../sync/pull.ts';
import { pushBatch } from '../sync/push.ts';

export interface SyncRouteDeps {
  pool: pg.Pool;
  /** Pulls may be answered by the read replica. */
  reads: ReadReplica;
  cache: SyncCache;
  jobs: TranscriptJobs;
  /** Transcripts a user may have waiting or running at once. */
  jobMaxInFlightPerUser: number;
  uploads: AudioUploads;
  auth: ReturnType<typeof authenticate>;
  /** Per-device limits, taken after authentication. */
  rateLimits: ReturnType<typeof syncRateLimits>;
  metrics: Metrics;
  clock: ServerClock;
  writer: SpaceWriter;
  /** The plans' monthly analyses, checked on transcript.submit. */
  plans: Plans;
}

export function syncRoutes({
  reads,
  writer,
  cache,
  jobs,
  jobMaxInFlightPerUser,
  uploads,
  auth,
  rateLimits,
  metrics,
  clock,
  plans,
}: SyncRouteDeps): Router {
  const router = Router();

  router.post('/sync/push', auth, rateLimits.push, async (req, res) => {
    const mutations = (req.body as { mutations?: unknown } | undefined)?.mutations;
    if (Array.isArray(mutations) && mutations.length > MAX_PUSH_MUTATIONS) {
      throw new ApiError(413, ErrorCode.payloadTooLarge, `at most ${MAX_PUSH_MUTATIONS} mutations per push`);
    }
    const body = parseBody(PushRequestSchema, req.body);
    const who = identityOf(req);
    let admission = new SubmitAdmission(jobs, who.user.id, jobMaxInFlightPerUser);
    // Holds nothing between calls: the month's usage is read in each transaction.
    const allowance = new AnalysisAllowance(plans, who.user.id);
    const queued: Array<{ id: string; spaceId: string; submissions: number }> = [];
    const outcome = await pushBatch(writer, who, body, clock, {
      // What the admission counted belongs to its transaction: a second one counts afresh.
      beginAttempt() {
        admission = new SubmitAdmission(jobs, who.user.id, jobMaxInFlightPerUser);
      },
      refuse: async (client, mutation, tx, submittedSoFar) =>
        (await admission.refusal(client, mutation, tx, submittedSoFar)) ?? (await allowance.refusal(client, mutation, tx, submittedSoFar)),
      async beforeCommit(client, effects) {
        await allowance.record(client, effects.submitted.size);
        // Nothing of Redis here: this transaction holds the space locks (see SyncCache on why after the commit).
        let index = 0;
        queued.length = 0;
        for (const [transcriptId, submission] of effects.submitted) {
          await jobs.enqueue(client, { transcriptId, submission, userId: who.user.id }, admission.priorityOf(index++));
          const spaceId = effects.submittedIn.get(transcriptId);
          if (spaceId) queued.push({ id: transcriptId, spaceId, submissions: submission });
        }
      },
    });
    // Committed, the cache raised and the spaces poked (SpaceWriter).
    for (const result of outcome.response.results) metrics.pushedMutations.inc({ status: result.status });
    metrics.pushes.inc();
    for (const transcript of queued) jobs.announce(transcript, 'queued');
    await uploads.removeForTranscripts(outcome.deletedTranscripts);
    res.json(outcome.response);
  });

  router.post('/sync/pull', auth, rateLimits.pull, async (req, res) => {
    const body = parseBody(PullRequestSchema, req.body);
    const response = await pullChanges(reads, cache, identityOf(req).user.id, body, clock.now);
    metrics.pulls.inc();
    metrics.pulledChanges.inc(response.changes.length);
    res.json(response);
  });

  return router;
}
