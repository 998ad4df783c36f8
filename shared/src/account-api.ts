/**
 * Requests and answers of the account calls that go through email (password reset, inviting a
 * partner by email) and of changing the password.
 */
import { z } from 'zod';
import { EmailSchema, MIN_PASSWORD_LENGTH } from './api.ts';
import { StorableString } from './text.ts';

const NewPasswordSchema = StorableString.min(MIN_PASSWORD_LENGTH).max(1024);

/** Reset tokens are 256 random bits in base64url (43 characters); anything else is not one. */
export const ResetTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'not a reset token');

export const PasswordResetRequestSchema = z.object({ email: EmailSchema });
export type PasswordResetRequest = z.input<typeof PasswordResetRequestSchema>;

/** The same answer whether or not the email has an account (no enumeration). */
export const PasswordResetRequestedSchema = z.object({ status: z.literal('requested') });

export const PasswordResetConfirmRequestSchema = z.object({ token: ResetTokenSchema, password: NewPasswordSchema });
export type PasswordResetConfirmRequest = z.input<typeof PasswordResetConfirmRequestSchema>;

export const ChangePasswordRequestSchema = z.object({
  currentPassword: StorableString.min(1).max(1024),
  newPassword: NewPasswordSchema,
});
export type ChangePasswordRequest = z.input<typeof ChangePasswordRequestSchema>;

/** How many other sessions (devices) were signed out by a reset or a change. */
export const PasswordChangedResponseSchema = z.object({ revokedSessions: z.number().int().min(0) });
export type PasswordChangedResponse = z.infer<typeof PasswordChangedResponseSchema>;

export const InviteByEmailRequestSchema = z.object({ email: EmailSchema });
export type InviteByEmailRequest = z.input<typeof InviteByEmailRequestSchema>;
