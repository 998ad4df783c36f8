/**
 * Failed-login limits that keep guessing out without locking the owner out:
 * - from a device that has logged in to the account before (a known device, see known-devices.ts):
 *   only that device's own failures count, so nobody else's guesses can lock it out;
 * - from anywhere else: failures of the email from this IP, failures from this IP (any email), and,
 *   much higher and slower, failures of the email from all IPs together (a spread-out attack).
 * Each attempt takes its points before the password is checked, so parallel guesses cannot all slip
 * in. A successful login clears the count of its own email and IP (or its known device) and gives
 * back the one point it took from the wider ones.
 */
import type { RedisClient } from '../cache/redis-client.ts';
import { givePoints, rateLimiter, takePoints, type RateLimit } from '../limits/rate-limits.ts';

export interface LoginLimits {
  /** Failed logins of one email from one IP per window. */
  perEmailIp: number;
  /** Failed logins from one IP, any email, per window. */
  perIp: number;
  /** Failed logins from one known device per window. */
  perDevice: number;
  windowSec: number;
  /** Failed logins of one email from all unknown devices together per emailWindowSec. */
  perEmail: number;
  emailWindowSec: number;
}

type Take = readonly [RateLimit, string];

/** What an attempt took, to give back when it succeeds. */
export interface LoginAttempt {
  /** The count of this email from this IP, or of this known device: cleared by a success. */
  readonly own: Take;
  /** The per-IP and per-email counts: a success gives back its one point. */
  readonly shared: readonly Take[];
}

const MESSAGE = 'too many failed logins; try again later';

export class LoginLimiter {
  private readonly byEmailIp: RateLimit;
  private readonly byIp: RateLimit;
  private readonly byEmail: RateLimit;
  private readonly byDevice: RateLimit;

  constructor(limits: LoginLimits, redis: RedisClient | null, prefix: string) {
    this.byEmailIp = rateLimiter(redis, `${prefix}login-email-ip`, { points: limits.perEmailIp, windowSec: limits.windowSec });
    this.byIp = rateLimiter(redis, `${prefix}login-ip`, { points: limits.perIp, windowSec: limits.windowSec });
    this.byEmail = rateLimiter(redis, `${prefix}login-email`, { points: limits.perEmail, windowSec: limits.emailWindowSec });
    this.byDevice = rateLimiter(redis, `${prefix}login-device`, { points: limits.perDevice, windowSec: limits.windowSec });
  }

  /**
   * Takes one attempt from every allowance that applies; throws 429 rate_limited (with the wait)
   * when one is used up. `knownDeviceKey` is the key hash of a known device of this email's account.
   */
  async takeAttempt(email: string, ip: string, knownDeviceKey: string | null): Promise<LoginAttempt> {
    const attempt: LoginAttempt = knownDeviceKey
      ? { own: [this.byDevice, knownDeviceKey], shared: [] }
      : {
          own: [this.byEmailIp, `${email}|${ip}`],
          shared: [
            [this.byIp, ip],
            [this.byEmail, email],
          ],
        };
    await takePoints([attempt.own, ...attempt.shared], MESSAGE);
    return attempt;
  }

  async loginSucceeded(attempt: LoginAttempt): Promise<void> {
    const [limiter, key] = attempt.own;
    await Promise.all([limiter.delete(key), givePoints(attempt.shared)]);
  }
}
