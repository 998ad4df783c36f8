import { describe, expect, it } from 'vitest';
import { covers, type PullPosition } from './read-positions-repo.ts';

const at = (lastMutationId: number, heads: Record<string, number>): PullPosition => ({
  lastMutationId,
  heads: new Map(Object.entries(heads)),
});

describe('covers: may a replica snapshot answer for what the primary had', () => {
  it.each([
    ['the same position', at(3, { a: 5, b: 2 }), at(3, { a: 5, b: 2 }), true],
    ['ahead everywhere', at(4, { a: 6, b: 9 }), at(3, { a: 5, b: 2 }), true],
    ['one space behind', at(3, { a: 4, b: 2 }), at(3, { a: 5, b: 2 }), false],
    ['lastMutationId behind', at(2, { a: 5, b: 2 }), at(3, { a: 5, b: 2 }), false],
    ['a space the replica does not have yet', at(3, { a: 5 }), at(3, { a: 5, b: 0 }), false],
    ['a space the primary no longer has', at(3, { a: 5, b: 2 }), at(3, { a: 5 }), false],
    ['another space of the same count', at(3, { a: 5, c: 9 }), at(3, { a: 5, b: 1 }), false],
    ['no spaces on either', at(0, {}), at(0, {}), true],
  ])('%s', (_name, here, needed, expected) => {
    expect(covers(here, needed)).toBe(expected);
  });
});
