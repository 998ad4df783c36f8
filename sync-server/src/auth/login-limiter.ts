/**
 * Failed-login limits per email and per IP (rate-limiter-flexible): Redis-backed when Redis is
 * configured, with an in-memory limiter as insurance while Redis is unreachable.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../http/api-error.ts';

export interface LoginLimits {
  perEmail: number;
  perIp: number;
  windowSec: number;
}

function limiter(redis: Redis | null, keyPrefix: string, points: number, duration: number): RateLimiterAbstract {
  const memory = new RateLimiterMemory({ keyPrefix, points, duration });
  if (!redis) return memory;
  return new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory });
}

export class LoginLimiter {
  private readonly byEmail: RateLimiterAbstract;
  private readonly byIp: RateLimiterAbstract;

  constructor(private readonly limits: LoginLimits, redis: Redis | null, prefix: string) {
    this.byEmail = limiter(redis, `${prefix}login-email`, limits.perEmail, limits.windowSec);
    this.byIp = limiter(redis, `${prefix}login-ip`, limits.perIp, limits.windowSec);
  }

  /**
   * Takes one attempt from the email's and the IP's allowance before the password is checked, so
   * parallel guesses cannot all slip in; throws 429 rate_limited when either is used up. A
   * successful login gives the attempts back (see loginSucceeded).
   */
  async takeAttempt(email: string, ip: string): Promise<void> {
    const results = await Promise.allSettled([this.byEmail.consume(email), this.byIp.consume(ip)]);
    const waits = results.map((r) => (r.status === 'rejected' ? waitOf(r.reason) : 0));
    const wait = Math.max(...waits);
    if (wait > 0) throw tooMany(wait);
  }

  async loginSucceeded(email: string, ip: string): Promise<void> {
    await Promise.all([this.byEmail.delete(email), this.byIp.reward(ip, 1)]);
  }
}

/** rate-limiter-flexible rejects with its result (msBeforeNext) when the allowance is used up. */
function waitOf(reason: unknown): number {
  if (reason && typeof reason === 'object' && 'msBeforeNext' in reason) return Math.max(1, Number(reason.msBeforeNext));
  throw reason;
}

function tooMany(msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, 'rate_limited', 'too many failed logins; try again later', { retryAfter: seconds }, {
    'Retry-After': String(seconds),
  });
}
