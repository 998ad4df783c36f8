/**
 * Durable transcript processing on pg-boss (a Postgres-backed queue, also on the embedded PGlite).
 * A submit enqueues its job inside the push's own transaction, so a committed submit always has a
 * job. The worker moves the transcript to `processing`, then `done` with the analysis or, once the
 * retries are spent, `failed` with a reason. Each step checks the submission it was queued for, so
 * a job run twice (after a crash, say) changes nothing the second time.
 */
import { createHash } from 'node:crypto';
import PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'pino';
import { queryTimeoutMs, type PgTimeouts } from '../db/pool.ts';
import { jobsInFlight } from '../store/job-counts.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { Bus } from '../realtime/bus.ts';
import { changeTranscript, type ServerWriteDeps } from '../sync/server-writes.ts';
import { AnalysisError, analyseTranscript } from './transcript-analysis.ts';

export const ANALYSIS_QUEUE = 'transcript-analysis';
/** pg-boss's own default schema, named so the in-flight count can read its job table. */
const JOB_SCHEMA = 'pgboss';

export interface TranscriptJob {
  transcriptId: string;
  submission: number;
  /** Who submitted it, for the per-user limit (absent on jobs queued before there was one). */
  userId?: string;
}

export interface TranscriptJobDeps extends ServerWriteDeps {
  /** Carries each step of a job to the devices of its space at once (docs/protocol.md, "Real time"). */
  bus?: Bus;
  /** Tells the space's members that an analysis finished (their notification lists). */
  notifier?: Notifier;
}

export interface JobSettings {
  retryLimit: number;
  retryDelaySec: number;
  expireSec: number;
}

/** One job id per (transcript, submission): enqueuing the same submission twice is a no-op. */
function jobId(job: TranscriptJob): string {
  const hex = createHash('sha256').update(`${job.transcriptId}:${job.submission}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export class TranscriptJobs {
  private constructor(
    private readonly boss: PgBoss,
    private readonly deps: TranscriptJobDeps,
    private readonly logger: Logger,
  ) {}

  /** Tells the devices of the transcript's space how its job stands (after the step committed). */
  announce(
    transcript: { id: string; spaceId: string; submissions: number },
    status: 'queued' | 'processing' | 'done' | 'failed',
    progress?: number,
  ): void {
    this.deps.bus?.publish({
      type: 'job',
      spaceId: transcript.spaceId,
      transcriptId: transcript.id,
      submission: transcript.submissions,
      status,
      ...(progress !== undefined ? { progress } : {}),
    });
  }

  static async start(
    databaseUrl: string,
    deps: TranscriptJobDeps,
    settings: JobSettings,
    logger: Logger,
    timeouts?: PgTimeouts,
  ): Promise<TranscriptJobs> {
    const boss = new PgBoss({
      connectionString: databaseUrl,
      schema: JOB_SCHEMA,
      max: 2,
      // pg-boss's own pool (it passes these to pg): with Postgres stalled, its polls and its stop
      // give up within a bound too.
      ...(timeouts ? { connectionTimeoutMillis: timeouts.connectMs, query_timeout: queryTimeoutMs(timeouts) } : {}),
      schedule: false,
      supervise: true,
      migrate: true,
      // Maintenance is what retries a job whose worker died (its expiry passed); by default it
      // first runs after two minutes, far longer than a job may take.
      maintenanceIntervalSeconds: Math.max(1, Math.min(settings.expireSec, 30)),
    });
    boss.on('error', (error: Error) => logger.warn({ err: error.message }, 'job queue error'));
    await boss.start();
    const existing = await boss.getQueue(ANALYSIS_QUEUE);
    const options = {
      name: ANALYSIS_QUEUE,
      retryLimit: settings.retryLimit,
      retryDelay: settings.retryDelaySec,
      retryBackoff: true,
      expireInSeconds: settings.expireSec,
    };
    if (existing) await boss.updateQueue(ANALYSIS_QUEUE, options);
    else await boss.createQueue(ANALYSIS_QUEUE, options);
    const jobs = new TranscriptJobs(boss, deps, logger);
    await boss.work<TranscriptJob>(ANALYSIS_QUEUE, { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: 0.5 }, async ([job]) => {
      if (job) await jobs.process(job);
    });
    return jobs;
  }

  /** The pg-boss instance, for other queues of the server (emails) to share its connections and maintenance. */
  get queue(): PgBoss {
    return this.boss;
  }

  /**
   * Enqueues inside the caller's transaction: the job exists if and only if the submit commits.
   * Workers take higher priorities first (see SubmitAdmission).
   */
  async enqueue(client: pg.PoolClient, job: TranscriptJob, priority = 0): Promise<void> {
    await this.boss.send(ANALYSIS_QUEUE, job, {
      id: jobId(job),
      priority,
      db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) },
    });
  }

  /** The user's jobs waiting, waiting for a retry, or running. */
  async inFlightOf(client: pg.PoolClient, userId: string): Promise<number> {
    return jobsInFlight(client, JOB_SCHEMA, ANALYSIS_QUEUE, userId);
  }

  private async process(job: PgBoss.JobWithMetadata<TranscriptJob>): Promise<void> {
    const { transcriptId, submission } = job.data;
    // A job acts only on the submission it was queued for, and never on a deleted transcript.
    const ours = (t: { submissions: number; deleted?: boolean | undefined }) => t.submissions === submission && t.deleted !== true;
    const started = await changeTranscript(this.deps, transcriptId, (t) =>
      ours(t) && t.status === 'queued' ? { ...t, status: 'processing' } : null,
    );
    // Gone, re-submitted since, or already finished by an earlier run of this job.
    if (!started || !ours(started) || started.status !== 'processing') return;
    this.announce(started, 'processing', 0);

    let result: unknown;
    try {
      result = analyseTranscript(started.text, started.language, started.durationMs);
    } catch (error) {
      if (job.retryCount < job.retryLimit) throw error;
      const reason = error instanceof AnalysisError ? error.reason : 'analysis_failed';
      this.logger.info({ transcriptId, reason }, 'transcript processing failed');
      const failed = await changeTranscript(this.deps, transcriptId, (t) =>
        ours(t) && t.status === 'processing' ? { ...t, status: 'failed', error: reason, result: null } : null,
      );
      if (failed && ours(failed) && failed.status === 'failed') this.announce(failed, 'failed');
      return;
    }
    // Analysed; what is left is storing the result (one write), so the job is most of the way.
    this.announce(started, 'processing', 0.9);
    const done = await changeTranscript(this.deps, transcriptId, (t) =>
      ours(t) && t.status === 'processing' ? { ...t, status: 'done', result, error: null } : null,
    );
    if (done && ours(done) && done.status === 'done') {
      this.announce(done, 'done');
      await this.deps.notifier
        ?.analysisDone(done)
        .catch((error: unknown) => this.logger.warn({ err: error, transcriptId }, 'analysis notification not written'));
    }
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: 5000, wait: true });
  }
}
