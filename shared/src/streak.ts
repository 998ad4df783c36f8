/**
 * Streak and session maths. Days are calendar days in the user's time zone, numbered from the
 * epoch by their date alone, so a day is one step whatever its length (23 or 25 h at DST changes).
 */
import type { Session } from './entities.ts';

export type SessionTimes = Pick<Session, 'startedAt' | 'endedAt' | 'lastActivityAt'>;

const formatters = new Map<string, Intl.DateTimeFormat>();
const DAY_MS = 86_400_000;

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date ("YYYY-MM-DD") of an instant in a time zone. */
export function localDate(ms: number, timeZone: string): string {
  const parts = formatterFor(timeZone).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** The day number (days since 1970-01-01) of an instant's calendar date in a time zone. */
export function dayNumber(ms: number, timeZone: string): number {
  const [y, m, d] = localDate(ms, timeZone).split('-').map(Number);
  return Math.round(Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1) / DAY_MS);
}

/** How long a session lasted: to its end, or to its last activity when it has no end or lasted under 1 s. */
export function sessionDurationMs(session: SessionTimes): number {
  const toEnd = session.endedAt === null ? -1 : session.endedAt - session.startedAt;
  if (toEnd >= 1000) return toEnd;
  return Math.max(0, session.lastActivityAt - session.startedAt);
}

export interface Streaks {
  currentStreak: number;
  longestStreak: number;
}

/** Streaks over a set of active day numbers; the current one ends today or yesterday. */
export function streaksOf(activeDays: Iterable<number>, today: number): Streaks {
  const days = [...new Set(activeDays)].sort((a, b) => a - b);
  let longest = 0;
  let run = 0;
  let previous = Number.NaN;
  for (const day of days) {
    run = day === previous + 1 ? run + 1 : 1;
    longest = Math.max(longest, run);
    previous = day;
  }
  const last = days.at(-1);
  const current = last !== undefined && last <= today && last >= today - 1 ? run : 0;
  return { currentStreak: current, longestStreak: longest };
}

export interface SessionStats extends Streaks {
  activeDaysLast30: number;
  sessionsLast7Days: number;
  minutesLast7Days: number;
}

/** The numbers of `GET /api/stats`, computed from a user's sessions. */
export function sessionStats(sessions: readonly SessionTimes[], now: number, timeZone: string): SessionStats {
  const today = dayNumber(now, timeZone);
  const started = sessions.map((s) => ({ day: dayNumber(s.startedAt, timeZone), session: s }));
  const days = started.map((s) => s.day).filter((d) => d <= today);
  const recent = started.filter((s) => s.day > today - 7 && s.day <= today).map((s) => s.session);
  return statsOfDays(days, recent, today);
}

/**
 * The same numbers from what they depend on: the day numbers sessions started on up to today (in
 * any order, repeats allowed) and the sessions that started in the 7 days ending today. The server
 * has Postgres find these, so it never reads years of sessions to answer.
 */
export function statsOfDays(days: readonly number[], recent: readonly SessionTimes[], today: number): SessionStats {
  const minutes = recent.reduce((sum, s) => sum + sessionDurationMs(s), 0) / 60_000;
  return {
    ...streaksOf(days, today),
    activeDaysLast30: new Set(days.filter((d) => d > today - 30)).size,
    sessionsLast7Days: recent.length,
    minutesLast7Days: Math.round(minutes),
  };
}

/** Active-day counts for the last `count` days ending today (oldest first), for a chart. */
export function dailyActivity(sessions: readonly SessionTimes[], now: number, timeZone: string, count = 7) {
  const today = dayNumber(now, timeZone);
  const result: Array<{ day: number; sessions: number; minutes: number }> = [];
  for (let day = today - count + 1; day <= today; day++) result.push({ day, sessions: 0, minutes: 0 });
  for (const s of sessions) {
    const entry = result[dayNumber(s.startedAt, timeZone) - (today - count + 1)];
    if (!entry) continue;
    entry.sessions += 1;
    entry.minutes += sessionDurationMs(s) / 60_000;
  }
  return result.map((e) => ({ ...e, minutes: Math.round(e.minutes) }));
}
