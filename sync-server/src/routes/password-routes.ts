/**
 * Passwords: asking for a reset link by email, setting a new password with it, and changing the
 * password with the current one. Either way every other session of the person is revoked (their
 * sockets closed on every instance) and no older reset link works any more.
 */
import {
  ChangePasswordRequestSchema,
  ErrorCode,
  PasswordResetConfirmRequestSchema,
  PasswordResetRequestSchema,
  type PasswordChangedResponse,
} from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import type { EmailLimiter } from '../auth/email-limiter.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import { hashToken } from '../auth/tokens.ts';
import type { SyncCache } from '../cache/sync-cache.ts';
import { inTransaction } from '../db/pool.ts';
import type { EmailOutbox } from '../email/email-outbox.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { clientAddressKey } from '../limits/client-address.ts';
import { PasswordResetsRepo } from '../store/password-resets-repo.ts';
import { UsersRepo } from '../store/users-repo.ts';

export interface PasswordRouteDeps {
  pool: pg.Pool;
  cache: SyncCache;
  outbox: EmailOutbox;
  limiter: EmailLimiter;
  auth: ReturnType<typeof authenticate>;
  now: () => number;
  /** After a device's token was revoked: its open sockets, on every instance, are closed. */
  onLoggedOut: (deviceId: string) => void;
}

const tokenInvalid = () =>
  new ApiError(400, ErrorCode.resetTokenInvalid, 'this reset link is not valid or has already been used; ask for a new one');
const tokenExpired = () => new ApiError(410, ErrorCode.resetTokenExpired, 'this reset link has expired; ask for a new one');

export function passwordRoutes({ pool, cache, outbox, limiter, auth, now, onLoggedOut }: PasswordRouteDeps): Router {
  const router = Router();

  /** Sets the hash, spends every reset token, revokes the other sessions; inside `client`'s transaction. */
  async function replacePassword(client: pg.PoolClient, userId: string, passwordHash: string, keepDeviceId: string | null) {
    await new UsersRepo(client).setPasswordHash(userId, passwordHash);
    await new PasswordResetsRepo(client).useAllOf(userId, new Date(now()));
    return new UsersRepo(client).revokeOtherDevices(userId, keepDeviceId);
  }

  async function forgetSessions(revoked: ReadonlyArray<{ deviceId: string; tokenHash: string }>): Promise<PasswordChangedResponse> {
    for (const { deviceId, tokenHash } of revoked) {
      await cache.revokeToken(tokenHash);
      onLoggedOut(deviceId);
    }
    return { revokedSessions: revoked.length };
  }

  // The same answer, and the same work (one queued job), for an address with or without an account.
  router.post('/auth/password-reset', async (req, res) => {
    const { email } = parseBody(PasswordResetRequestSchema, req.body);
    await limiter.takeReset(email, clientAddressKey(req));
    await outbox.enqueue({ kind: 'password-reset', email });
    res.status(202).json({ status: 'requested' });
  });

  router.post('/auth/password-reset/confirm', async (req, res) => {
    const body = parseBody(PasswordResetConfirmRequestSchema, req.body);
    const passwordHash = await hashPassword(body.password);
    const revoked = await inTransaction(pool, async (client) => {
      const token = await new PasswordResetsRepo(client).lock(hashToken(body.token), new Date(now()));
      if (token.state === 'unknown') throw tokenInvalid();
      if (token.state === 'expired') throw tokenExpired();
      // Whoever asked for the reset may not hold any of the sessions: all of them end.
      return replacePassword(client, token.userId, passwordHash, null);
    });
    res.status(200).json(await forgetSessions(revoked));
  });

  router.post('/auth/password', auth, async (req, res) => {
    const { user, deviceId } = identityOf(req);
    const body = parseBody(ChangePasswordRequestSchema, req.body);
    await limiter.takeChange(user.id);
    const row = await new UsersRepo(pool).findById(user.id);
    if (!row || !(await verifyPassword(body.currentPassword, row.passwordHash))) {
      throw new ApiError(400, ErrorCode.wrongPassword, 'the current password is not right');
    }
    await limiter.changeSucceeded(user.id);
    const passwordHash = await hashPassword(body.newPassword);
    const revoked = await inTransaction(pool, (client) => replacePassword(client, user.id, passwordHash, deviceId));
    res.status(200).json(await forgetSessions(revoked));
  });

  return router;
}
