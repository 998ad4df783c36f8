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

/**
 * An id factory whose ids sort in creation order also within one millisecond (a monotonic ULID):
 * in the same or an earlier millisecond, the previous id's random part is incremented instead of
 * drawn again. Messages sent in quick succession then keep their order.
 */
export function monotonicIds(now: () => number = Date.now, random: () => number = Math.random): () => string {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let lastTime = -1;
  let lastRandom: number[] = [];
  return () => {
    const time = Math.max(0, Math.floor(now()));
    if (time <= lastTime && lastRandom.length === 16) {
      let i = 15;
      while (i >= 0 && lastRandom[i] === 31) lastRandom[i--] = 0;
      if (i >= 0) lastRandom[i] = (lastRandom[i] ?? 0) + 1;
    } else {
      lastTime = time;
      lastRandom = Array.from({ length: 16 }, () => Math.floor(random() * 32));
    }
    const prefix = newId(lastTime, () => 0).slice(0, 10);
    return prefix + lastRandom.map((d) => alphabet[d]).join('');
  };
}
