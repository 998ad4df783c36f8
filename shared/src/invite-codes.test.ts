import { describe, expect, it } from 'vitest';
import { AcceptInviteRequestSchema } from './api.ts';
import { formatInviteCode, INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH, normalizeInviteCode } from './invite-codes.ts';

describe('invite codes', () => {
  it('have at least 60 bits in an alphabet without I, L, O or U', () => {
    expect(INVITE_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(INVITE_CODE_ALPHABET).size).toBe(32);
    expect(INVITE_CODE_ALPHABET).not.toMatch(/[ILOU]/);
    expect(INVITE_CODE_LENGTH * Math.log2(INVITE_CODE_ALPHABET.length)).toBeGreaterThanOrEqual(60);
  });

  it('are shown in groups of four', () => {
    expect(formatInviteCode('7KQ2M9XD4TBN')).toBe('7KQ2-M9XD-4TBN');
  });

  it.each([
    ['7kq2-m9xd-4tbn', '7KQ2M9XD4TBN'],
    [' 7KQ2 M9XD 4TBN ', '7KQ2M9XD4TBN'],
    ['7KQ2\u2013M9XD\u20144TBN', '7KQ2M9XD4TBN'],
    ['7KQ2\u00a0M9XD\tA0O1', '7KQ2M9XDA001'],
    ['1iIlL0oO', '11111000'],
  ])('normalise %j to %s', (typed, canonical) => {
    expect(normalizeInviteCode(typed)).toBe(canonical);
    expect(AcceptInviteRequestSchema.parse({ code: typed }).code).toBe(canonical);
  });

  it.each([[''], ['   '], ['ABC*DEF'], ['ABCD\u0000EFGH'], ['\ud800ABCD'], ['A'.repeat(33)], [42]])('reject %j', (code) => {
    expect(AcceptInviteRequestSchema.safeParse({ code }).success).toBe(false);
  });
});
