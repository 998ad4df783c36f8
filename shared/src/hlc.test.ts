import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  clampHlc,
  compareHlc,
  createHlc,
  formatHlc,
  HlcParseError,
  hlcClientId,
  hlcWall,
  isHlc,
  MAX_CLOCK_AHEAD_MS,
  parseHlc,
  receiveHlc,
  tickHlc,
  type Hlc,
} from './hlc.ts';
import { pickLww } from './merge.ts';

const T0 = 1_763_980_000_000;
// Walls stay below 10^15 - 10^6 so that the 15-digit field cannot overflow in these tests.
const wall = fc.integer({ min: 0, max: 999_999_998_000_000 });
const clientId = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
const hlc: fc.Arbitrary<Hlc> = fc.record({ wall, counter: fc.integer({ min: 0, max: 99_999 }), clientId });

function tupleOrder(a: Hlc, b: Hlc): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0;
}

describe('format and parse', () => {
  it('formats with fixed widths', () => {
    expect(formatHlc({ wall: T0, counter: 0, clientId: 'c1' })).toBe('001763980000000:00000:c1');
    expect(formatHlc({ wall: 5, counter: 42, clientId: 'A_b-9' })).toBe('000000000000005:00042:A_b-9');
  });

  it('round-trips any clock', () => {
    fc.assert(
      fc.property(hlc, (h) => {
        const text = formatHlc(h);
        expect(isHlc(text)).toBe(true);
        expect(parseHlc(text)).toEqual(h);
        expect(hlcWall(text)).toBe(h.wall);
        expect(hlcClientId(text)).toBe(h.clientId);
      }),
    );
  });

  it.each([
    '',
    '1763980000000:00000:c1', // 13-digit wall
    '0001763980000000:00000:c1', // 16-digit wall
    '001763980000000:0000:c1', // 4-digit counter
    '001763980000000:000000:c1', // 6-digit counter
    '001763980000000:00000:', // no clientId
    '001763980000000:00000:c 1', // bad clientId character
    '001763980000000:00000:c1:x',
    `001763980000000:00000:${'c'.repeat(65)}`,
    '00176398000000a:00000:c1',
    '-01763980000000:00000:c1',
    ' 001763980000000:00000:c1',
    '001763980000000:00000:c1\n',
  ])('rejects %j', (text) => {
    expect(isHlc(text)).toBe(false);
    expect(() => parseHlc(text)).toThrow(HlcParseError);
  });

  it('rejects values that are not strings', () => {
    expect(isHlc(123)).toBe(false);
    expect(isHlc(null)).toBe(false);
    expect(isHlc({ wall: 1, counter: 0, clientId: 'c' })).toBe(false);
  });
});

describe('order', () => {
  it('compares strings in time order: wall, then counter, then clientId', () => {
    fc.assert(
      fc.property(hlc, hlc, (a, b) => {
        expect(Math.sign(compareHlc(formatHlc(a), formatHlc(b)))).toBe(tupleOrder(a, b));
      }),
    );
  });

  it('orders an earlier wall before a larger counter', () => {
    const early = formatHlc({ wall: T0, counter: 99_999, clientId: 'z' });
    const late = formatHlc({ wall: T0 + 1, counter: 0, clientId: 'a' });
    expect(compareHlc(early, late)).toBe(-1);
    expect(compareHlc(late, early)).toBe(1);
    expect(compareHlc(late, late)).toBe(0);
  });

  it('lets the larger clientId win at equal time', () => {
    const meta = (id: string) => ({ hlc: formatHlc({ wall: T0, counter: 3, clientId: id }), by: 'u', at: T0 });
    const a = { value: 'from a', meta: meta('client-a') };
    const b = { value: 'from b', meta: meta('client-b') };
    expect(pickLww(a, b)).toBe(b);
    expect(pickLww(b, a)).toBe(b);
  });
});

describe('tick', () => {
  it('takes the wall clock when it is ahead, and counts within one millisecond', () => {
    let clock = createHlc('c1');
    clock = tickHlc(clock, T0);
    expect(clock).toEqual({ wall: T0, counter: 0, clientId: 'c1' });
    clock = tickHlc(clock, T0);
    expect(clock).toEqual({ wall: T0, counter: 1, clientId: 'c1' });
    // A wall clock that went backwards does not move the hlc back.
    clock = tickHlc(clock, T0 - 5_000);
    expect(clock).toEqual({ wall: T0, counter: 2, clientId: 'c1' });
    clock = tickHlc(clock, T0 + 10.7);
    expect(clock).toEqual({ wall: T0 + 10, counter: 0, clientId: 'c1' });
  });

  it('moves the wall on by 1 ms when the counter would overflow', () => {
    const full: Hlc = { wall: T0, counter: 99_999, clientId: 'c1' };
    const next = tickHlc(full, T0);
    expect(next).toEqual({ wall: T0 + 1, counter: 0, clientId: 'c1' });
    expect(compareHlc(formatHlc(next), formatHlc(full))).toBe(1);
    expect(tickHlc(next, T0)).toEqual({ wall: T0 + 1, counter: 1, clientId: 'c1' });
  });

  it('is strictly monotonic whatever the wall clock does', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: T0 - 1_000, max: T0 + 1_000 }), { minLength: 1, maxLength: 200 }), (nows) => {
        let clock: Hlc = { wall: T0, counter: 99_990, clientId: 'c1' };
        for (const now of nows) {
          const next = tickHlc(clock, now);
          expect(compareHlc(formatHlc(next), formatHlc(clock))).toBe(1);
          expect(next.wall).toBeGreaterThanOrEqual(now);
          expect(next.counter).toBeLessThanOrEqual(99_999);
          clock = next;
        }
      }),
    );
  });
});

describe('receive', () => {
  it('moves past a remote hlc that is ahead', () => {
    const clock: Hlc = { wall: T0, counter: 7, clientId: 'c1' };
    expect(receiveHlc(clock, formatHlc({ wall: T0 + 50, counter: 4, clientId: 'c2' }), T0)).toEqual({
      wall: T0 + 50,
      counter: 5,
      clientId: 'c1',
    });
    expect(receiveHlc(clock, formatHlc({ wall: T0, counter: 9, clientId: 'c2' }), T0)).toEqual({
      wall: T0,
      counter: 10,
      clientId: 'c1',
    });
    expect(receiveHlc(clock, formatHlc({ wall: T0 - 9, counter: 9, clientId: 'c2' }), T0)).toEqual({
      wall: T0,
      counter: 8,
      clientId: 'c1',
    });
    expect(receiveHlc(clock, formatHlc({ wall: T0 - 9, counter: 9, clientId: 'c2' }), T0 + 3)).toEqual({
      wall: T0 + 3,
      counter: 0,
      clientId: 'c1',
    });
  });

  it('takes a server time in ms', () => {
    const clock: Hlc = { wall: T0, counter: 7, clientId: 'c1' };
    expect(receiveHlc(clock, T0 + 100.9, T0)).toEqual({ wall: T0 + 100, counter: 1, clientId: 'c1' });
    expect(receiveHlc(clock, T0, T0)).toEqual({ wall: T0, counter: 8, clientId: 'c1' });
  });

  it('moves the wall on by 1 ms when the counter would overflow', () => {
    const clock: Hlc = { wall: T0, counter: 3, clientId: 'c1' };
    const remote = formatHlc({ wall: T0, counter: 99_999, clientId: 'c2' });
    expect(receiveHlc(clock, remote, T0)).toEqual({ wall: T0 + 1, counter: 0, clientId: 'c1' });
  });

  it('rejects a malformed remote hlc', () => {
    expect(() => receiveHlc(createHlc('c1'), 'not an hlc', T0)).toThrow(HlcParseError);
  });

  it('ends after both the local clock and the remote time', () => {
    const remote = fc.oneof(
      hlc.map(formatHlc),
      wall.map((w) => w as string | number),
    );
    fc.assert(
      fc.property(hlc, remote, wall, (clock, r, now) => {
        const next = receiveHlc(clock, r, now);
        const remoteTuple = typeof r === 'number' ? { wall: r, counter: 0 } : parseHlc(r);
        expect(next.clientId).toBe(clock.clientId);
        expect(tupleOrder(next, clock)).toBe(1);
        expect(tupleOrder({ ...next, clientId: '' }, { ...remoteTuple, clientId: '' })).toBe(1);
        expect(next.wall).toBeGreaterThanOrEqual(now);
        expect(next.counter).toBeLessThanOrEqual(99_999);
      }),
    );
  });
});

describe('clamp', () => {
  const now = T0;
  it('leaves an hlc at most 60 s ahead alone', () => {
    const atLimit = formatHlc({ wall: now + MAX_CLOCK_AHEAD_MS, counter: 4, clientId: 'c1' });
    const behind = formatHlc({ wall: now - 3_600_000, counter: 0, clientId: 'c1' });
    expect(clampHlc(atLimit, now)).toBe(atLimit);
    expect(clampHlc(behind, now)).toBe(behind);
  });

  it('brings an hlc more than 60 s ahead back to the server clock', () => {
    const ahead = formatHlc({ wall: now + MAX_CLOCK_AHEAD_MS + 1, counter: 4, clientId: 'c1' });
    expect(clampHlc(ahead, now)).toBe(formatHlc({ wall: now, counter: 4, clientId: 'c1' }));
    const farAhead = formatHlc({ wall: now + 365 * 86_400_000, counter: 0, clientId: 'dev' });
    expect(parseHlc(clampHlc(farAhead, now))).toEqual({ wall: now, counter: 0, clientId: 'dev' });
  });

  it('never leaves an hlc more than 60 s ahead and never moves one forward', () => {
    fc.assert(
      fc.property(hlc, wall, (h, serverNow) => {
        const clamped = parseHlc(clampHlc(formatHlc(h), serverNow));
        expect(clamped.wall).toBeLessThanOrEqual(h.wall);
        expect(clamped.wall).toBeLessThanOrEqual(serverNow + MAX_CLOCK_AHEAD_MS);
        expect(clamped.clientId).toBe(h.clientId);
      }),
    );
  });

  it('rejects a malformed hlc', () => {
    expect(() => clampHlc('soon', now)).toThrow(HlcParseError);
  });
});
