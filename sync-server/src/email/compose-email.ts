/**
 * Turns an email request into the email, in the worker: a reset issues its single-use token here
 * (an unknown address gets no email and no token), an invitation is written in the recipient's
 * language when they have an account, else in the inviter's.
 */
import type pg from 'pg';
import { hashToken, newToken } from '../auth/tokens.ts';
import { PasswordResetsRepo } from '../store/password-resets-repo.ts';
import { UsersRepo } from '../store/users-repo.ts';
import type { ComposeEmail, EmailRequest, QueuedEmail } from './email-outbox.ts';
import { emailLanguage } from './email-templates.ts';

export interface ComposeDeps {
  pool: pg.Pool;
  /** The app's public address, for the links. */
  appUrl: () => string;
  resetTtlMin: number;
  now: () => number;
}

/** The path of the app's screen that sets a new password with a reset token. */
export const RESET_PATH = '/reset-password';
/** The path of the app's screen that accepts an invite code. */
export const ACCEPT_INVITE_PATH = '/partner';

export function composeEmail({ pool, appUrl, resetTtlMin, now }: ComposeDeps): ComposeEmail {
  const users = new UsersRepo(pool);
  return async (request: EmailRequest): Promise<QueuedEmail | null> => {
    if (request.kind === 'password-reset') {
      const user = await users.findByEmail(request.email);
      if (!user) return null;
      const token = newToken();
      await new PasswordResetsRepo(pool).issue(hashToken(token), user.id, new Date(now() + resetTtlMin * 60_000));
      const link = `${appUrl()}${RESET_PATH}?token=${encodeURIComponent(token)}`;
      return { to: user.email, language: emailLanguage(user.locale), content: { kind: 'password-reset', link, ttlMin: resetTtlMin } };
    }
    const recipient = await users.findByEmail(request.to);
    const link = `${appUrl()}${ACCEPT_INVITE_PATH}?code=${encodeURIComponent(request.code)}`;
    return {
      to: request.to,
      language: emailLanguage(recipient?.locale ?? request.inviterLocale),
      content: { kind: 'invite', inviterName: request.inviterName, code: request.code, link, expiresAt: request.expiresAt },
    };
  };
}
