import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { dailyActivity, dayNumber, localDate, sessionDurationMs, sessionStats, streaksOf, type SessionTimes } from './streak.ts';

const NEW_YORK = 'America/New_York';
const MADRID = 'Europe/Madrid';
const HOUR = 3_600_000;
const MINUTE = 60_000;

/** An instant from a local time written with its UTC offset, e.g. at('2026-03-08T23:45:00-04:00'). */
const at = (iso: string) => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad date ${iso}`);
  return ms;
};

/** A session that started at `iso` and ended `minutes` later. */
const ended = (iso: string, minutes: number): SessionTimes => ({
  startedAt: at(iso),
  endedAt: at(iso) + minutes * MINUTE,
  lastActivityAt: at(iso),
});

describe('calendar days in a time zone', () => {
  it.each([
    ['2026-03-08T04:30:00Z', NEW_YORK, '2026-03-07'],
    ['2026-03-08T04:30:00Z', MADRID, '2026-03-08'],
    ['2026-03-08T04:30:00Z', 'UTC', '2026-03-08'],
    ['2026-03-28T23:30:00Z', MADRID, '2026-03-29'],
    ['2026-11-02T04:30:00Z', NEW_YORK, '2026-11-01'],
    ['2026-12-31T23:59:59.999Z', 'Pacific/Kiritimati', '2027-01-01'],
  ])('%s is %s in %s', (iso, timeZone, date) => {
    expect(localDate(at(iso), timeZone)).toBe(date);
  });

  it('numbers days from the epoch by their date', () => {
    expect(dayNumber(0, 'UTC')).toBe(0);
    expect(dayNumber(0, NEW_YORK)).toBe(-1);
    expect(dayNumber(at('2026-03-08T12:00:00Z'), 'UTC')).toBe(Date.UTC(2026, 2, 8) / 86_400_000);
  });

  it.each([
    ['New York spring forward: a 23 h day', NEW_YORK, '2026-03-08T00:00:00-05:00', '2026-03-09T00:00:00-04:00', 23],
    ['New York fall back: a 25 h day', NEW_YORK, '2026-11-01T00:00:00-04:00', '2026-11-02T00:00:00-05:00', 25],
    ['Madrid spring forward: a 23 h day', MADRID, '2026-03-29T00:00:00+01:00', '2026-03-30T00:00:00+02:00', 23],
    ['Madrid fall back: a 25 h day', MADRID, '2026-10-25T00:00:00+02:00', '2026-10-26T00:00:00+01:00', 25],
  ])('%s is one day', (_, timeZone, startIso, nextIso, hours) => {
    const start = at(startIso);
    const next = at(nextIso);
    expect(next - start).toBe(hours * HOUR);
    expect(dayNumber(next - 1, timeZone)).toBe(dayNumber(start, timeZone));
    expect(dayNumber(start - 1, timeZone)).toBe(dayNumber(start, timeZone) - 1);
    expect(dayNumber(next, timeZone)).toBe(dayNumber(start, timeZone) + 1);
  });

  it('moves by exactly one at every local midnight', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2028-01-01T00:00:00Z') }),
        fc.constantFrom(NEW_YORK, MADRID, 'UTC', 'Asia/Kolkata'),
        (ms, timeZone) => {
          const step = dayNumber(ms + HOUR, timeZone) - dayNumber(ms, timeZone);
          expect(step === 0 || step === 1).toBe(true);
          expect(step === 1).toBe(localDate(ms + HOUR, timeZone) !== localDate(ms, timeZone));
        },
      ),
    );
  });
});

describe('streaks', () => {
  it.each([
    ['no active day', [], 10, 0, 0],
    ['only today', [10], 10, 1, 1],
    ['ending today', [8, 9, 10], 10, 3, 3],
    ['ending yesterday: still current', [7, 8, 9], 10, 3, 3],
    ['ending the day before yesterday: broken', [6, 7, 8], 10, 0, 3],
    ['a longer run earlier', [1, 2, 3, 4, 6, 9, 10], 10, 2, 4],
    ['repeated days count once', [9, 9, 10, 10, 10], 10, 2, 2],
    ['unsorted days', [10, 3, 9, 4, 8], 10, 3, 3],
  ])('%s', (_, days, today, current, longest) => {
    expect(streaksOf(days, today)).toEqual({ currentStreak: current, longestStreak: longest });
  });

  it('never has a current streak longer than the longest', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 })), fc.integer({ min: 0, max: 40 }), (days, today) => {
        const { currentStreak, longestStreak } = streaksOf(
          days.filter((d) => d <= today),
          today,
        );
        expect(currentStreak).toBeLessThanOrEqual(longestStreak);
        expect(longestStreak).toBeLessThanOrEqual(new Set(days).size);
      }),
    );
  });

  it.each([
    [
      'New York, 23:45 each night across the spring change',
      NEW_YORK,
      ['2026-03-06T23:45:00-05:00', '2026-03-07T23:45:00-05:00', '2026-03-08T23:45:00-04:00', '2026-03-09T23:45:00-04:00'],
      '2026-03-10T08:00:00-04:00',
    ],
    [
      'New York, 00:15 each night across the spring change',
      NEW_YORK,
      ['2026-03-07T00:15:00-05:00', '2026-03-08T00:15:00-05:00', '2026-03-09T00:15:00-04:00', '2026-03-10T00:15:00-04:00'],
      '2026-03-10T23:00:00-04:00',
    ],
    [
      'New York, 23:30 each night across the fall change',
      NEW_YORK,
      ['2026-10-30T23:30:00-04:00', '2026-10-31T23:30:00-04:00', '2026-11-01T23:30:00-05:00', '2026-11-02T23:30:00-05:00'],
      '2026-11-03T07:00:00-05:00',
    ],
    [
      'Madrid, 00:30 each night across the spring change',
      MADRID,
      ['2026-03-28T00:30:00+01:00', '2026-03-29T00:30:00+01:00', '2026-03-30T00:30:00+02:00', '2026-03-31T00:30:00+02:00'],
      '2026-03-31T21:00:00+02:00',
    ],
    [
      'Madrid, 23:30 each night across the fall change',
      MADRID,
      ['2026-10-23T23:30:00+02:00', '2026-10-24T23:30:00+02:00', '2026-10-25T23:30:00+01:00', '2026-10-26T23:30:00+01:00'],
      '2026-10-27T09:00:00+01:00',
    ],
  ])('keeps a streak going: %s', (_, timeZone, starts, nowIso) => {
    const stats = sessionStats(
      starts.map((s) => ended(s, 10)),
      at(nowIso),
      timeZone,
    );
    expect(stats).toMatchObject({ currentStreak: 4, longestStreak: 4, activeDaysLast30: 4 });
  });

  it('counts days in the user time zone, not in UTC', () => {
    // Monday 23:30 and Tuesday 00:30 in New York are both Tuesday in UTC.
    const sessions = [ended('2026-05-04T23:30:00-04:00', 5), ended('2026-05-05T00:30:00-04:00', 5)];
    const now = at('2026-05-05T12:00:00-04:00');
    expect(sessionStats(sessions, now, NEW_YORK)).toMatchObject({ currentStreak: 2, activeDaysLast30: 2 });
    expect(sessionStats(sessions, now, 'UTC')).toMatchObject({ currentStreak: 1, activeDaysLast30: 1 });
  });

  it.each([
    // 24 h after a late session on the eve of the spring change it is already two days later.
    [
      '24 h later across the spring change is the day after tomorrow',
      NEW_YORK,
      '2026-03-07T23:30:00-05:00',
      '2026-03-09T00:30:00-04:00',
      0,
    ],
    // 48 h after an early session on the eve of the fall change it is still only the next day.
    ['48 h later across the fall change is still the next day', NEW_YORK, '2026-10-31T00:30:00-04:00', '2026-11-01T23:30:00-05:00', 1],
    ['just after midnight, yesterday still counts', MADRID, '2026-06-01T23:59:00+02:00', '2026-06-02T00:01:00+02:00', 1],
    ['just before midnight, the day before yesterday does not', MADRID, '2026-05-31T23:59:00+02:00', '2026-06-02T23:59:00+02:00', 0],
  ])('current streak: %s', (_, timeZone, lastSession, nowIso, current) => {
    const stats = sessionStats([ended(lastSession, 5)], at(nowIso), timeZone);
    expect(stats.currentStreak).toBe(current);
    expect(stats.longestStreak).toBe(1);
  });
});

describe('session duration', () => {
  const start = at('2026-04-15T10:00:00Z');
  it.each([
    ['to its end', { startedAt: start, endedAt: start + 10 * MINUTE, lastActivityAt: start + 2 * MINUTE }, 10 * MINUTE],
    ['to its end when it lasted exactly 1 s', { startedAt: start, endedAt: start + 1_000, lastActivityAt: start + 5 * MINUTE }, 1_000],
    ['without an end, to its last activity', { startedAt: start, endedAt: null, lastActivityAt: start + 5 * MINUTE }, 5 * MINUTE],
    ['under 1 s, to its last activity', { startedAt: start, endedAt: start + 999, lastActivityAt: start + 2 * MINUTE }, 2 * MINUTE],
    ['ended before it started, to its last activity', { startedAt: start, endedAt: start - 50, lastActivityAt: start + MINUTE }, MINUTE],
    ['without an end or any activity, nothing', { startedAt: start, endedAt: null, lastActivityAt: start }, 0],
    ['never negative', { startedAt: start, endedAt: start + 10, lastActivityAt: start - MINUTE }, 0],
  ])('counts %s', (_, session, ms) => {
    expect(sessionDurationMs(session)).toBe(ms);
  });
});

describe('stats', () => {
  const now = at('2026-04-15T12:00:00+02:00');
  const sessions: SessionTimes[] = [
    ended('2026-04-15T08:00:00+02:00', 30), // today
    { startedAt: at('2026-04-15T09:00:00+02:00'), endedAt: null, lastActivityAt: at('2026-04-15T09:10:00+02:00') }, // today, no end: 10 min
    ended('2026-04-09T23:30:00+02:00', 20), // 6 days ago, ends the next day: counts on the day it started
    ended('2026-04-08T10:00:00+02:00', 60), // 7 days ago: outside the last 7 days
    {
      startedAt: at('2026-03-17T10:00:00+01:00'),
      endedAt: at('2026-03-17T10:00:00.400+01:00'),
      lastActivityAt: at('2026-03-17T10:01:30+01:00'),
    }, // 29 days ago, before the DST change
    ended('2026-03-16T10:00:00+01:00', 5), // 30 days ago: outside the last 30 days
    ended('2026-04-16T10:00:00+02:00', 45), // tomorrow (a wrong clock): not counted
  ];

  it('computes the numbers of GET /api/stats', () => {
    expect(sessionStats(sessions, now, MADRID)).toEqual({
      currentStreak: 1,
      longestStreak: 2,
      activeDaysLast30: 4,
      sessionsLast7Days: 3,
      minutesLast7Days: 60,
    });
  });

  it('rounds the minutes of the last 7 days', () => {
    const short = [
      { startedAt: now - HOUR, endedAt: now - HOUR + 89_000, lastActivityAt: now - HOUR },
      { startedAt: now - 2 * HOUR, endedAt: null, lastActivityAt: now - 2 * HOUR + 60_000 },
    ];
    expect(sessionStats(short, now, MADRID).minutesLast7Days).toBe(2); // 149 s
  });

  it('is all zero without sessions', () => {
    expect(sessionStats([], now, NEW_YORK)).toEqual({
      currentStreak: 0,
      longestStreak: 0,
      activeDaysLast30: 0,
      sessionsLast7Days: 0,
      minutesLast7Days: 0,
    });
  });

  it('lists the activity of each of the last days, oldest first', () => {
    const days = dailyActivity(sessions, now, MADRID);
    expect(days).toHaveLength(7);
    expect(days.map((d) => d.day)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => dayNumber(now, MADRID) - 6 + i));
    expect(days.map((d) => [d.sessions, d.minutes])).toEqual([
      [1, 20],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [0, 0],
      [2, 40],
    ]);
  });
});
