import { describe, expect, it } from 'vitest';
import { DEFAULT_WARM_CLIENTS, warmClientCount } from './cache-warmer.ts';

describe('warmClientCount', () => {
  it('warms the in-process cache by default, Redis only when asked, and never when told 0', () => {
    expect(warmClientCount(null, false)).toBe(DEFAULT_WARM_CLIENTS);
    expect(warmClientCount(null, true)).toBe(0);
    expect(warmClientCount(200, true)).toBe(200);
    expect(warmClientCount(0, false)).toBe(0);
  });
});
