/**
 * Errors of the data layer are data with a code (see shared/error-codes.ts for the server's codes).
 * `ApiError` is an answer from the server or the lack of one (status 0); `DuetError` is a local
 * refusal (invalid args, quota, signed out). The UI translates `.code`, never `.message`.
 */

/** Codes the client produces itself, next to the protocol's ErrorCode values. */
export const ClientErrorCode = {
  offline: 'offline',
  network: 'network',
  invalidResponse: 'invalid_response',
  signedOut: 'signed_out',
  quotaExceeded: 'quota_exceeded',
  storageFailed: 'storage_failed',
  invalidArgs: 'invalid_args',
  unknown: 'unknown',
} as const;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  /** HTTP status; 0 when no answer arrived (offline, network failure). */
  readonly status: number;
  /** Seconds to wait, from the Retry-After of a 429 or 503. */
  readonly retryAfter?: number;
  readonly details?: unknown;

  constructor(init: { code: string; status: number; message?: string; retryAfter?: number; details?: unknown }) {
    super(init.message ?? init.code);
    this.code = init.code;
    this.status = init.status;
    if (init.retryAfter !== undefined) this.retryAfter = init.retryAfter;
    if (init.details !== undefined) this.details = init.details;
  }
}

export class DuetError extends Error {
  override readonly name = 'DuetError';
  readonly code: string;

  constructor(code: string, message?: string, options?: { cause?: unknown }) {
    super(message ?? code, options);
    this.code = code;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** IndexedDB reports a full disk as a DOMException (or an abort whose error is one) named QuotaExceededError. */
export function isQuotaExceeded(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as { name?: unknown }).name === 'QuotaExceededError') return true;
  if (error instanceof DuetError && error.code === ClientErrorCode.quotaExceeded) return true;
  return isQuotaExceeded((error as { cause?: unknown }).cause);
}

/** The code to show for any thrown value: its `.code` when it has one, else 'unknown'. */
export function errorCode(error: unknown): string {
  if (error instanceof ApiError || error instanceof DuetError) return error.code;
  if (isQuotaExceeded(error)) return ClientErrorCode.quotaExceeded;
  return ClientErrorCode.unknown;
}
