/** Maps what a failed sync cycle threw to the status code the UI shows, and whether to retry. */
import { ApiError, isQuotaExceeded } from '../api/errors.ts';
import { PushFailed } from './push.ts';
import type { SyncErrorCode } from './status.ts';

export interface ClassifiedFailure {
  code: SyncErrorCode;
  /** False for a lost sign-in and a refused protocol: retrying cannot help until the person acts. */
  retry: boolean;
  /** The server's minimum wait (Retry-After of a 429 or 503), in ms. */
  minDelayMs: number;
}

/** The longest a Retry-After is honoured (a wrong header must not stop syncing for days). */
const MAX_RETRY_AFTER_MS = 10 * 60_000;

export function classifySyncFailure(error: unknown): ClassifiedFailure {
  const failure = (code: SyncErrorCode, minDelayMs = 0): ClassifiedFailure => ({
    code,
    retry: code !== 'unauthorized' && code !== 'unsupported_protocol',
    minDelayMs: Math.min(minDelayMs, MAX_RETRY_AFTER_MS),
  });
  if (isQuotaExceeded(error)) return failure('quota_exceeded');
  if (error instanceof PushFailed) return classifySyncFailure(error.cause);
  if (!(error instanceof ApiError)) return failure('storage_failed');
  if (error.code === 'invalid_response') return failure('invalid_response');
  if (error.code === 'out_of_order') return failure('out_of_order');
  if (error.status === 0) return failure('network');
  if (error.status === 401) return failure('unauthorized');
  // 426: this app is older than the server serves (docs/protocol.md, "Protocol version").
  if (error.status === 426 || error.code === 'unsupported_protocol') return failure('unsupported_protocol');
  if (error.status === 429) return failure('rate_limited', (error.retryAfter ?? 0) * 1000);
  if (error.status === 503) return failure('unavailable', (error.retryAfter ?? 0) * 1000);
  if (error.status >= 500) return failure('server_error');
  return failure('bad_request');
}
