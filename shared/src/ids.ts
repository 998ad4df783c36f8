import { z } from 'zod';

/** Ids that clients create: 1 to 64 characters from [A-Za-z0-9_-]. */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected an id of 1-64 characters [A-Za-z0-9_-]');

/** A time-sortable random id (ULID-like, base32 Crockford), usable as any entity or client id. */
export function newId(now: number = Date.now(), random: () => number = Math.random): string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let time = '';
  let t = Math.max(0, Math.floor(now));
  for (let i = 0; i < 10; i++) {
    time = alphabet[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rand = '';
  for (let i = 0; i < 16; i++) rand += alphabet[Math.floor(random() * 32)];
  return time + rand;
}
