/** Error codes of the protocol: the `code` of an error body or of a rejected mutation. */
export const ErrorCode = {
  invalidBody: 'invalid_body',
  invalidCredentials: 'invalid_credentials',
  emailTaken: 'email_taken',
  unauthorized: 'unauthorized',
  forbidden: 'forbidden',
  notFound: 'not_found',
  payloadTooLarge: 'payload_too_large',
  headersTooLarge: 'headers_too_large',
  rateLimited: 'rate_limited',
  inviteNotFound: 'invite_not_found',
  inviteUsed: 'invite_used',
  inviteExpired: 'invite_expired',
  alreadyMember: 'already_member',
  /** Accepting an invite when either person already has a partner (one shared space per couple). */
  alreadyLinked: 'already_linked',
  unavailable: 'unavailable',
  invalidArgs: 'invalid_args',
  unknownMutation: 'unknown_mutation',
  internal: 'internal',
  unsupportedProtocol: 'unsupported_protocol',
  /** A transcript submit while the user already has the most transcripts waiting or running. */
  tooManyJobs: 'too_many_jobs',
  /** A new upload while the user has the most unfinished uploads. */
  tooManyUploads: 'too_many_uploads',
  /** An upload that would take the user's stored audio past the quota. */
  audioQuotaExceeded: 'audio_quota_exceeded',
  /** An unfinished upload past its expiry: its bytes are gone, start a new one. */
  uploadExpired: 'upload_expired',
  /** A Range request for bytes a recording does not have (416; its Content-Range gives the size). */
  rangeNotSatisfiable: 'range_not_satisfiable',
  /** A password reset link that is unknown or was already used. */
  resetTokenInvalid: 'reset_token_invalid',
  /** A password reset link past its expiry: ask for a new one. */
  resetTokenExpired: 'reset_token_expired',
  /** Changing the password with a wrong current password. */
  wrongPassword: 'wrong_password',
  /** The plan's monthly limit (analyses, audio minutes) is used up: wait for next month or upgrade. */
  planLimitReached: 'plan_limit_reached',
  /** The server has no Stripe key: there is nothing to buy and every account is free. */
  billingNotConfigured: 'billing_not_configured',
  /** The customer portal before any checkout: there is no subscription to manage. */
  noSubscription: 'no_subscription',
  /** A Stripe webhook whose signature does not verify. */
  invalidSignature: 'invalid_signature',
  /** An import file that is not a Duet export: not a zip, no duet-export.json, bad JSON, an entity failing its schema, a dangling reference. */
  exportInvalid: 'export_invalid',
  /** An import file of another format or of an export version this server cannot read. */
  exportUnsupported: 'export_unsupported',
  /** An import into an account that already holds conversations, messages or transcripts, or has a partner. */
  importTargetNotEmpty: 'import_target_not_empty',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * The one error body of the protocol, for every refusal (HTTP, tus, the HTTP parser's). Readers
 * validate it with ErrorBodySchema (api.ts), which takes any code string: an older app must still
 * read a code added after it.
 */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}
