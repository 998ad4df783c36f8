/** Signups per IP: each one costs a password hash and rows, and a flood fills the database. */
import type { RedisClient } from '../cache/redis-client.ts';
import { rateLimiter, takePoints, type Allowance, type RateLimit } from '../limits/rate-limits.ts';

export class SignupLimiter {
  private readonly byIp: RateLimit;

  constructor(perIp: Allowance, redis: RedisClient | null, prefix: string) {
    this.byIp = rateLimiter(redis, `${prefix}signup-ip`, perIp);
  }

  /** Every well-formed signup counts, taken or not, so the limit also slows probing for emails. */
  async takeAttempt(ip: string): Promise<void> {
    await takePoints([[this.byIp, ip]], 'too many signups from this address; try again later');
  }
}
