import { monotonicFactory, ulid } from 'ulidx';
import { z } from 'zod';

/** Ids that clients create: 1 to 64 characters from [A-Za-z0-9_-]. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected an id of 1-64 characters [A-Za-z0-9_-]');

/**
 * A time-sortable random id (a ULID: base32 Crockford), usable as any entity or client id. The
 * random part comes from the platform's cryptographic source unless a test passes its own.
 */
export function newId(now: number = Date.now(), random?: () => number): string {
  return ulid(Math.max(0, Math.floor(now)), random);
}

/**
 * An id factory whose ids sort in creation order also within one millisecond (a monotonic ULID):
 * in the same or an earlier millisecond, the previous id's random part is incremented instead of
 * drawn again. Messages sent in quick succession then keep their order.
 */
export function monotonicIds(now: () => number = Date.now, random?: () => number): () => string {
  const next = monotonicFactory(random);
  return () => next(Math.max(0, Math.floor(now())));
}
