/**
 * Emails in the background: a request only queues a job (pg-boss, in Postgres, inside the
 * request's own transaction where it has one); a worker loop here sends them one at a time.
 * A send the mail server fails is retried by pg-boss with exponential back-off. While the
 * mailer's circuit breaker is open the loop takes no job at all, so queued emails wait in
 * Postgres instead of hammering a server that is down, and none is lost or used up its retries.
 */
import type PgBoss from 'pg-boss';
import type pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Timers } from '../clock.ts';
import { renderEmail, type EmailContent, type EmailLanguage } from './email-templates.ts';
import { isPermanentRefusal, type Mailer } from './mailer.ts';

export const EMAIL_QUEUE = 'email';

/** An email ready to render. */
export interface QueuedEmail {
  to: string;
  language: EmailLanguage;
  content: EmailContent;
}

/**
 * What a job carries: what was asked for, not yet the email. The worker turns it into one
 * (composeEmail), so a request does the same work whether or not its address has an account.
 */
export const EmailRequestSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password-reset'), email: z.string() }),
  z.object({
    kind: z.literal('invite'),
    to: z.string(),
    inviterName: z.string(),
    inviterLocale: z.string(),
    code: z.string(),
    expiresAt: z.string(),
  }),
]);
export type EmailRequest = z.infer<typeof EmailRequestSchema>;

/** Turns a request into the email to send, or null when there is none to send (a reset for an unknown address). */
export type ComposeEmail = (request: EmailRequest) => Promise<QueuedEmail | null>;

export interface EmailOutboxSettings {
  retryLimit: number;
  retryDelaySec: number;
  /** How often the loop looks for work when there was none, and how often it checks a open breaker (ms). */
  pollMs?: number;
}

export class EmailOutbox {
  private stopped = false;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  private constructor(
    private readonly boss: PgBoss,
    readonly mailer: Mailer,
    private readonly compose: ComposeEmail,
    private readonly timers: Timers,
    private readonly logger: Logger,
    private readonly pollMs: number,
  ) {}

  static async start(
    boss: PgBoss,
    mailer: Mailer,
    compose: ComposeEmail,
    settings: EmailOutboxSettings,
    timers: Timers,
    logger: Logger,
  ): Promise<EmailOutbox> {
    const options = {
      name: EMAIL_QUEUE,
      retryLimit: settings.retryLimit,
      retryDelay: settings.retryDelaySec,
      retryBackoff: true,
      expireInSeconds: 120,
    };
    if (await boss.getQueue(EMAIL_QUEUE)) await boss.updateQueue(EMAIL_QUEUE, options);
    else await boss.createQueue(EMAIL_QUEUE, options);
    const outbox = new EmailOutbox(boss, mailer, compose, timers, logger, settings.pollMs ?? 500);
    outbox.running = outbox.loop();
    return outbox;
  }

  /** Queues an email; with `client`, inside that transaction (the email exists if and only if it commits). */
  async enqueue(request: EmailRequest, client?: pg.PoolClient): Promise<void> {
    await this.boss.send(
      EMAIL_QUEUE,
      request,
      client ? { db: { executeSql: (text: string, values: unknown[]) => client.query(text, values) } } : {},
    );
    this.wake?.();
  }

  /** Emails queued and not yet sent (waiting, waiting for a retry, or being sent). */
  async pending(): Promise<number> {
    return this.boss.getQueueSize(EMAIL_QUEUE, { before: 'completed' });
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.timers.setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        this.timers.clearTimeout(timer);
        this.wake = null;
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      if (!this.mailer.mayTry) {
        await this.pause(this.pollMs);
        continue;
      }
      let job: PgBoss.Job<EmailRequest> | undefined;
      try {
        [job] = await this.boss.fetch<EmailRequest>(EMAIL_QUEUE, { batchSize: 1 });
      } catch (error) {
        this.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'email queue unreachable; trying again');
      }
      if (!job) {
        await this.pause(this.pollMs);
        continue;
      }
      // Nothing a job holds may stop the loop (or the process): deliver handles its own failures.
      await this.deliver(job).catch((error: unknown) => {
        this.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'email job failed unexpectedly');
      });
    }
  }

  private async deliver(job: PgBoss.Job<EmailRequest>): Promise<void> {
    // A job is what this version queued, or older data: read it as untrusted input.
    const request = EmailRequestSchema.safeParse((job as { data?: unknown }).data);
    if (!request.success) {
      this.logger.error({ jobId: job.id }, 'email job without a valid request; dropped');
      if (typeof job.id === 'string') await this.boss.complete(EMAIL_QUEUE, job.id, { invalid: true }).catch(() => {});
      return;
    }
    const kind = request.data.kind;
    try {
      const email = await this.compose(request.data);
      if (email) await this.mailer.send(renderEmail(email.to, email.language, email.content), job.id);
      await this.boss.complete(EMAIL_QUEUE, job.id);
      this.logger.info({ kind, jobId: job.id, sent: email !== null }, email ? 'email sent' : 'nothing to send');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (isPermanentRefusal(error)) {
        // The server will never take it (a bad address): retrying cannot help.
        this.logger.warn({ kind, jobId: job.id, reason }, 'email refused by the mail server; not retried');
        await this.boss.complete(EMAIL_QUEUE, job.id, { refused: reason }).catch(() => {});
        return;
      }
      this.logger.warn({ kind, jobId: job.id, reason }, 'email not sent; retrying later');
      await this.boss.fail(EMAIL_QUEUE, job.id, { reason }).catch(() => {});
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    this.mailer.close();
  }
}
