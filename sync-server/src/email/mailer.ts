/**
 * Sends one email: through nodemailer to SMTP_URL, or, with no SMTP_URL (the embedded default),
 * into a file under DATA_DIR/outbox with its links logged, so `npm start` needs no mail server.
 * A cockatiel circuit breaker guards SMTP: after a few failures in a row it opens, and the outbox
 * (email-outbox.ts) stops taking jobs until it lets one try again.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The links in the email, logged in file mode so a developer can follow them. */
  links: string[];
}

export interface MailerSettings {
  smtpUrl: string | null;
  from: string;
  dataDir: string;
  breakerHalfOpenMs: number;
  /** The server's clock (ms). */
  now: () => number;
}

/** Failures in a row that open the breaker. */
const FAILURES_TO_OPEN = 3;
/** A mail server that does not answer within this is as good as down. */
const SMTP_TIMEOUT_MS = 10_000;

/** An SMTP answer 5xx: the server will never take this message (bad address, say); retrying is pointless. */
export function isPermanentRefusal(error: unknown): boolean {
  const code = (error as { responseCode?: unknown } | null)?.responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

export class Mailer {
  readonly mode: 'smtp' | 'file';
  private readonly transport: Transporter;
  private readonly breaker: CircuitBreakerPolicy;
  /** When the breaker last opened (the server's clock), null while closed. */
  private openedAt: number | null = null;

  constructor(
    private readonly settings: MailerSettings,
    private readonly logger: Logger,
  ) {
    this.mode = settings.smtpUrl ? 'smtp' : 'file';
    this.transport = settings.smtpUrl
      ? nodemailer.createTransport({
          url: settings.smtpUrl,
          connectionTimeout: SMTP_TIMEOUT_MS,
          greetingTimeout: SMTP_TIMEOUT_MS,
          socketTimeout: SMTP_TIMEOUT_MS,
        })
      : nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    // A permanent refusal says the server is up: it does not count towards opening.
    this.breaker = circuitBreaker(
      handleWhen((error) => !isPermanentRefusal(error)),
      { halfOpenAfter: settings.breakerHalfOpenMs, breaker: new ConsecutiveBreaker(FAILURES_TO_OPEN) },
    );
    this.breaker.onBreak(() => {
      // Each opening (also a failed trial) starts a new wait.
      if (this.openedAt === null) logger.warn('mail server unavailable; emails wait until it answers again');
      this.openedAt = settings.now();
    });
    this.breaker.onReset(() => {
      this.openedAt = null;
      logger.info('mail server answers again');
    });
  }

  /**
   * True while the breaker is closed. Open (the mail server failed) and half-open (one trial is on
   * its way, its answer not known yet) are both "not up": a trial in flight does not say the server
   * answers again.
   */
  get up(): boolean {
    return this.breaker.state === CircuitState.Closed;
  }

  /** True when a send may be tried now (closed, or open long enough to try one). */
  get mayTry(): boolean {
    if (this.breaker.state === CircuitState.Closed || this.breaker.state === CircuitState.HalfOpen) return true;
    // Cockatiel moves Open to HalfOpen on the next call once halfOpenAfter has passed.
    const openedAt = this.openedAt;
    return openedAt !== null && this.settings.now() - openedAt >= this.settings.breakerHalfOpenMs;
  }

  /** Sends, or throws: a BrokenCircuitError while the breaker is open, the transport's error otherwise. */
  async send(email: OutgoingEmail, id: string): Promise<void> {
    if (this.mode === 'file') return this.writeFile(email, id);
    await this.breaker.execute(() =>
      this.transport.sendMail({ from: this.settings.from, to: email.to, subject: email.subject, text: email.text, html: email.html }),
    );
  }

  private async writeFile(email: OutgoingEmail, id: string): Promise<void> {
    const built = (await this.transport.sendMail({
      from: this.settings.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
    })) as { message: Buffer };
    const dir = path.join(this.settings.dataDir, 'outbox');
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, `${id}.eml`);
    await writeFile(file, built.message);
    this.logger.info(
      { to: email.to, subject: email.subject, file, links: email.links },
      'email written to the outbox folder (no SMTP_URL)',
    );
  }

  close(): void {
    this.transport.close();
  }
}
