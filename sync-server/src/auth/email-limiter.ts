/**
 * Limits on what sends email or guesses a password: reset requests per email address and per IP
 * (the same for an address without an account, so the limit tells nothing), invitation emails per
 * recipient, and wrong current passwords per user when changing it.
 */
import type { RedisClient } from '../cache/redis-client.ts';
import { givePoints, rateLimiter, takePoints, type Allowance, type RateLimit } from '../limits/rate-limits.ts';

export interface EmailLimits {
  resetPerEmail: Allowance;
  resetPerIp: Allowance;
  invitePerRecipient: Allowance;
  changePerUser: Allowance;
}

export class EmailLimiter {
  private readonly resetByEmail: RateLimit;
  private readonly resetByIp: RateLimit;
  private readonly inviteByRecipient: RateLimit;
  private readonly changeByUser: RateLimit;

  constructor(limits: EmailLimits, redis: RedisClient | null, prefix: string) {
    this.resetByEmail = rateLimiter(redis, `${prefix}reset-email`, limits.resetPerEmail);
    this.resetByIp = rateLimiter(redis, `${prefix}reset-ip`, limits.resetPerIp);
    this.inviteByRecipient = rateLimiter(redis, `${prefix}invite-email-to`, limits.invitePerRecipient);
    this.changeByUser = rateLimiter(redis, `${prefix}password-change-user`, limits.changePerUser);
  }

  async takeReset(email: string, ip: string): Promise<void> {
    await takePoints(
      [
        [this.resetByEmail, email],
        [this.resetByIp, ip],
      ],
      'too many password reset requests; try again later',
    );
  }

  async takeInviteEmail(recipient: string): Promise<void> {
    await takePoints([[this.inviteByRecipient, recipient]], 'this address has been sent enough invitations for now; try again later');
  }

  /** Taken before the current password is checked; given back when it was right. */
  async takeChange(userId: string): Promise<void> {
    await takePoints([[this.changeByUser, userId]], 'too many wrong passwords; try again later');
  }

  async changeSucceeded(userId: string): Promise<void> {
    await givePoints([[this.changeByUser, userId]]);
  }
}
