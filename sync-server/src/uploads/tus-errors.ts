/**
 * Every refusal of the tus routes in the protocol's error body, as JSON: the hooks' own errors,
 * tus's refusals (size, offset, expiry) and the ones @tus/server writes before any hook runs
 * (a missing Tus-Resumable, an invalid header, an unknown method).
 */
import { ErrorCode, type ErrorBody } from '@duet/shared';
import { Server } from '@tus/server';

/** What a hook throws to refuse a request; @tus/server answers it (it reads `status_code` and `body`). */
export class TusRefusal extends Error {
  constructor(
    readonly status_code: number,
    readonly body: string,
  ) {
    super(body);
  }
}

/** One of tus's own refusals (`ERRORS.*`, plain objects) as an Error tus answers the same way. */
export function tusError(error: { status_code: number; body: string }): TusRefusal {
  return new TusRefusal(error.status_code, error.body);
}

/** A store's "no such upload" (tus's FILE_NOT_FOUND, as an object or a TusRefusal). */
export function isNotFound(error: unknown): boolean {
  return (error as { status_code?: unknown } | null)?.status_code === 404;
}

export function tusRefusal(status: number, code: ErrorCode, message: string, details?: unknown): TusRefusal {
  const error: ErrorBody['error'] = { code, message };
  if (details !== undefined) error.details = details;
  return new TusRefusal(status, JSON.stringify({ error } satisfies ErrorBody));
}

function codeOf(status: number): ErrorCode {
  if (status === 401) return ErrorCode.unauthorized;
  if (status === 403) return ErrorCode.forbidden;
  if (status === 404) return ErrorCode.notFound;
  if (status === 410) return ErrorCode.uploadExpired;
  if (status === 413) return ErrorCode.payloadTooLarge;
  if (status === 429) return ErrorCode.rateLimited;
  if (status >= 500) return ErrorCode.unavailable;
  return ErrorCode.invalidBody;
}

/** A refusal in the protocol's shape; tus's plain-text ones keep their text as the message. */
export function asProtocolError(status: number, body: string): TusRefusal {
  if (body.startsWith('{"error"')) return new TusRefusal(status, body);
  // A failure of the store or the database is worth retrying; a bug would be too, and is logged.
  const answered = status >= 500 ? 503 : status;
  return tusRefusal(answered, codeOf(answered), body.trim() || 'upload refused');
}

function retryAfterOf(body: string): number | null {
  const details = (JSON.parse(body) as { error: { details?: { retryAfterSec?: unknown } } }).error.details;
  return typeof details?.retryAfterSec === 'number' ? details.retryAfterSec : null;
}

/** @tus/server, with every error answer a JSON protocol error body. */
export class ProtocolTusServer extends Server {
  override write(...[context, headers, status, body]: Parameters<Server['write']>): ReturnType<Server['write']> {
    if (status < 400) return super.write(context, headers, status, body);
    const refusal = asProtocolError(status, body ?? '');
    headers.set('Content-Type', 'application/json; charset=utf-8');
    const retryAfterSec = retryAfterOf(refusal.body);
    if (retryAfterSec !== null) headers.set('Retry-After', String(retryAfterSec));
    return super.write(context, headers, refusal.status_code, refusal.body);
  }
}
