/** Dates, times and numbers through Intl, in the current language. */
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 86_400_000],
  ['month', 30 * 86_400_000],
  ['week', 7 * 86_400_000],
  ['day', 86_400_000],
  ['hour', 3_600_000],
  ['minute', 60_000],
  ['second', 1000],
];

export interface Formatters {
  /** "2 minutes ago", "hace 2 minutos"; under 10 s: "now". */
  relative(at: number, now?: number): string;
  /** Date and time, short. */
  dateTime(at: number): string;
  /** Time of day only (messages of today). */
  time(at: number): string;
  /** A weekday, short ("Mon"), for a day number counted from 1970-01-01. */
  weekday(dayNumber: number, style?: 'short' | 'long'): string;
  number(value: number): string;
  /** `fraction` from 0 to 1. */
  percent(fraction: number): string;
  bytes(value: number): string;
}

/** Made on first use: an Intl formatter costs milliseconds to build, and a screen uses few of them. */
function once<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

export function createFormatters(locale: string): Formatters {
  const rtf = once(() => new Intl.RelativeTimeFormat(locale, { numeric: 'auto' }));
  const dateTime = once(() => new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }));
  const time = once(() => new Intl.DateTimeFormat(locale, { timeStyle: 'short' }));
  const number = once(() => new Intl.NumberFormat(locale));
  const percent = once(() => new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 0 }));
  const weekdays = {
    short: once(() => new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' })),
    long: once(() => new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' })),
  };
  return {
    relative(at, now = Date.now()) {
      const diff = at - now;
      if (Math.abs(diff) < 10_000) return rtf().format(0, 'second');
      for (const [unit, ms] of UNITS) {
        if (Math.abs(diff) >= ms || unit === 'second') return rtf().format(Math.round(diff / ms), unit);
      }
      return rtf().format(0, 'second');
    },
    dateTime: (at) => dateTime().format(at),
    time: (at) => time().format(at),
    weekday: (day, style = 'short') => weekdays[style]().format(day * 86_400_000),
    number: (value) => number().format(value),
    percent: (fraction) => percent().format(Math.min(1, Math.max(0, fraction))),
    bytes(value) {
      const units = ['byte', 'kilobyte', 'megabyte', 'gigabyte'] as const;
      let index = 0;
      let amount = value;
      while (amount >= 1024 && index < units.length - 1) {
        amount /= 1024;
        index++;
      }
      return new Intl.NumberFormat(locale, {
        style: 'unit',
        unit: units[index] ?? 'byte',
        unitDisplay: 'short',
        maximumFractionDigits: 1,
      }).format(amount);
    },
  };
}

const byLocale = new Map<string, Formatters>();

/** Formatters for the current language, one set per language for every screen. */
export function useFormatters(): Formatters {
  const { i18n } = useTranslation();
  const locale = i18n.resolvedLanguage ?? 'en';
  return useMemo(() => {
    let formatters = byLocale.get(locale);
    if (!formatters) byLocale.set(locale, (formatters = createFormatters(locale)));
    return formatters;
  }, [locale]);
}
