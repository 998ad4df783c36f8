/**
 * Invite limits: creating codes per user, and failed accepts per user and per IP (guessing). An
 * accept takes its points before the code is looked up, so parallel guesses cannot all slip in; a
 * successful accept gives them back.
 */
import type { RedisClient } from '../cache/redis-client.ts';
import { givePoints, rateLimiter, takePoints, type Allowance, type RateLimit } from '../limits/rate-limits.ts';

export interface InviteLimits {
  createPerUser: Allowance;
  acceptPerUser: Allowance;
  acceptPerIp: Allowance;
}

type Take = readonly [RateLimit, string];

export class InviteLimiter {
  private readonly createByUser: RateLimit;
  private readonly acceptByUser: RateLimit;
  private readonly acceptByIp: RateLimit;

  constructor(limits: InviteLimits, redis: RedisClient | null, prefix: string) {
    this.createByUser = rateLimiter(redis, `${prefix}invite-create-user`, limits.createPerUser);
    this.acceptByUser = rateLimiter(redis, `${prefix}invite-accept-user`, limits.acceptPerUser);
    this.acceptByIp = rateLimiter(redis, `${prefix}invite-accept-ip`, limits.acceptPerIp);
  }

  async takeCreate(userId: string): Promise<void> {
    await takePoints([[this.createByUser, userId]], 'too many invites created; try again later');
  }

  /** Returns what it took, for acceptSucceeded. */
  async takeAccept(userId: string, ip: string): Promise<readonly Take[]> {
    const takes: Take[] = [
      [this.acceptByUser, userId],
      [this.acceptByIp, ip],
    ];
    await takePoints(takes, 'too many invite codes tried; try again later');
    return takes;
  }

  async acceptSucceeded(takes: readonly Take[]): Promise<void> {
    await givePoints(takes);
  }
}
