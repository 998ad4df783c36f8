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

  /** Throws 429 rate_limited when either key has used up its failed attempts. */
  async assertAllowed(email: string, ip: string): Promise<void> {
    const [e, i] = await Promise.all([this.byEmail.get(email), this.byIp.get(ip)]);
    const waits = [
      e && e.consumedPoints >= this.limits.perEmail ? e.msBeforeNext : 0,
      i && i.consumedPoints >= this.limits.perIp ? i.msBeforeNext : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) throw tooMany(wait);
  }

  async recordFailure(email: string, ip: string): Promise<void> {
    await Promise.all([this.byEmail.penalty(email, 1), this.byIp.penalty(ip, 1)]);
  }

  async recordSuccess(email: string): Promise<void> {
    await this.byEmail.delete(email);
  }
}

function tooMany(msBeforeNext: number): ApiError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new ApiError(429, 'rate_limited', 'too many failed logins; try again later', { retryAfter: seconds }, {
    'Retry-After': String(seconds),
  });
}
