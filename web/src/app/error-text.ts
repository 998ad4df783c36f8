/**
 * Any thrown error as a plain sentence in the current language, by its code (never its message).
 * A 429 says exactly how long to wait, from the server's Retry-After or details.retryAfterSec,
 * worded by Intl.RelativeTimeFormat so plurals are right in every language ("in 14 minutes",
 * "dentro de 14 minutos", "خلال 14 دقيقة").
 */
import type { TFunction } from 'i18next';
import { ApiError, errorCode } from '../data/index.ts';

export function errorText(t: TFunction, language: string, error: unknown): string {
  const code = errorCode(error);
  const wait = code === 'rate_limited' ? retryAfterSec(error) : undefined;
  if (wait !== undefined) return t('errors.rate_limited_wait', { when: inTime(wait, language) });
  return t(`errors.${code}`, { defaultValue: t('errors.unknown') });
}

function retryAfterSec(error: unknown): number | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const details = error.details as { retryAfterSec?: unknown } | undefined;
  const seconds = typeof details?.retryAfterSec === 'number' ? details.retryAfterSec : error.retryAfter;
  return seconds !== undefined && Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}

/** Rounded up, so the app never says to try again before the server will allow it. */
export function inTime(seconds: number, language: string): string {
  const format = new Intl.RelativeTimeFormat(language, { numeric: 'always' });
  if (seconds < 60) return format.format(Math.ceil(seconds), 'second');
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return format.format(minutes, 'minute');
  return format.format(Math.ceil(minutes / 60), 'hour');
}
