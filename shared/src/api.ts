/** Requests and answers of the HTTP calls, one schema each; types are inferred from them. */
import { z } from 'zod';
import { IdSchema } from './ids.ts';
import { EntityKindSchema, SpaceSchema } from './entities.ts';
import { MutationEnvelopeSchema } from './mutations.ts';
import { InviteCodeSchema } from './invite-codes.ts';
import { StorableString, TrimmedStorableString } from './text.ts';

export const MAX_PUSH_MUTATIONS = 500;
export const MAX_BODY_BYTES = 1024 * 1024;
export const DEFAULT_PULL_LIMIT = 500;
export const MAX_PULL_LIMIT = 1000;
export const MIN_PASSWORD_LENGTH = 8;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export const EmailSchema = TrimmedStorableString.max(254)
  .email()
  .transform((e) => e.toLowerCase());
export const TimeZoneSchema = StorableString.max(64).refine(isTimeZone, 'unknown time zone');
export const LocaleSchema = z.string().regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/);

export const SignupRequestSchema = z.object({
  email: EmailSchema,
  password: StorableString.min(MIN_PASSWORD_LENGTH).max(1024),
  displayName: TrimmedStorableString.min(1).max(80),
  locale: LocaleSchema.optional(),
  timeZone: TimeZoneSchema.optional(),
});
export type SignupRequest = z.input<typeof SignupRequestSchema>;

export const LoginRequestSchema = z.object({
  email: EmailSchema,
  password: StorableString.min(1).max(1024),
  deviceName: TrimmedStorableString.max(100).optional(),
});
export type LoginRequest = z.input<typeof LoginRequestSchema>;

/** `DELETE /api/account`: the password again, so a device left signed in cannot delete the account. */
export const DeleteAccountRequestSchema = z.object({ password: StorableString.min(1).max(1024) });
export type DeleteAccountRequest = z.input<typeof DeleteAccountRequestSchema>;

export const UserSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  locale: z.string(),
  timeZone: z.string(),
});
export type User = z.infer<typeof UserSchema>;

export const AuthResponseSchema = z.object({ token: z.string(), deviceId: z.string(), user: UserSchema });
export type AuthResponse = z.infer<typeof AuthResponseSchema>;

export const MeResponseSchema = z.object({ user: UserSchema, spaces: z.array(SpaceSchema) });
export type MeResponse = z.infer<typeof MeResponseSchema>;

export const InviteResponseSchema = z.object({ code: z.string(), expiresAt: z.string() });
export type InviteResponse = z.infer<typeof InviteResponseSchema>;

export const AcceptInviteRequestSchema = z.object({ code: InviteCodeSchema });
export const AcceptInviteResponseSchema = z.object({ space: SpaceSchema });

export const PushRequestSchema = z.object({
  clientId: IdSchema,
  mutations: z.array(MutationEnvelopeSchema).max(MAX_PUSH_MUTATIONS),
});
export type PushRequest = z.infer<typeof PushRequestSchema>;

export const MutationStatusSchema = z.enum(['applied', 'duplicate', 'rejected', 'out_of_order']);
export type MutationStatus = z.infer<typeof MutationStatusSchema>;

export const MutationResultSchema = z.object({
  id: z.number(),
  status: MutationStatusSchema,
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type MutationResult = z.infer<typeof MutationResultSchema>;

export const PushResponseSchema = z.object({ lastMutationId: z.number(), results: z.array(MutationResultSchema) });
export type PushResponse = z.infer<typeof PushResponseSchema>;

export const PullRequestSchema = z.object({
  clientId: IdSchema,
  cursor: StorableString.max(10_000).nullable(),
  limit: z.number().int().min(1).max(MAX_PULL_LIMIT).optional(),
});
export type PullRequest = z.infer<typeof PullRequestSchema>;

export const ChangeSchema = z.object({
  kind: EntityKindSchema,
  id: z.string(),
  version: z.number(),
  deleted: z.boolean(),
  data: z.unknown(),
});
export type Change = z.infer<typeof ChangeSchema>;

export const PullResponseSchema = z.object({
  cursor: z.string(),
  changes: z.array(ChangeSchema),
  hasMore: z.boolean(),
  lastMutationId: z.number(),
  serverTime: z.number(),
  reset: z.boolean().optional(),
});
export type PullResponse = z.infer<typeof PullResponseSchema>;

export const StatsResponseSchema = z.object({
  currentStreak: z.number(),
  longestStreak: z.number(),
  activeDaysLast30: z.number(),
  sessionsLast7Days: z.number(),
  minutesLast7Days: z.number(),
});
export type StatsResponse = z.infer<typeof StatsResponseSchema>;

export const ErrorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});
