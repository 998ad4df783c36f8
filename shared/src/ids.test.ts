import { describe, expect, it } from 'vitest';
import { IdSchema, monotonicIds } from './ids.ts';

describe('monotonicIds', () => {
  it('gives ids in creation order within one millisecond, and valid ids', () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const next = monotonicIds(() => 1_764_000_000_000, random);
    const ids = Array.from({ length: 200 }, next);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(200);
    for (const id of ids) expect(IdSchema.safeParse(id).success).toBe(true);
  });

  it('keeps order when the clock goes back', () => {
    const times = [2000, 1000, 3000];
    const next = monotonicIds(
      () => times.shift() ?? 3000,
      () => 0.5,
    );
    const ids = [next(), next(), next()];
    expect([...ids].sort()).toEqual(ids);
  });
});
