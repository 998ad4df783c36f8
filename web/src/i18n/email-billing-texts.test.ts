// Every language has the words of the email, password and plan screens, and explains each new refusal.
import { ErrorCode } from '@duet/shared';
import { describe, expect, it } from 'vitest';
import ar from '../locales/ar.json';
import en from '../locales/en.json';
import es from '../locales/es.json';

type Locale = {
  errors: Record<string, string>;
  rejected: { reason: Record<string, string> };
  transcripts: { audio: { failure: Record<string, string> } };
} & Record<string, unknown>;
const locales = { en, es, ar } as unknown as Record<string, Locale>;
const NEW_CODES = [
  ErrorCode.resetTokenInvalid,
  ErrorCode.resetTokenExpired,
  ErrorCode.wrongPassword,
  ErrorCode.planLimitReached,
  ErrorCode.billingNotConfigured,
  ErrorCode.noSubscription,
];

/** Keys without their plural suffix, so languages with more plural forms compare equal. */
function keysOf(section: unknown, prefix = ''): Set<string> {
  const keys = new Set<string>();
  for (const [key, value] of Object.entries(section as Record<string, unknown>)) {
    const name = `${prefix}${key.replace(/_(zero|one|two|few|many|other)$/, '')}`;
    if (value && typeof value === 'object') for (const inner of keysOf(value, `${name}.`)) keys.add(inner);
    else keys.add(name);
  }
  return keys;
}

describe('email, password and plan texts', () => {
  it.each(Object.keys(locales))('%s explains every new refusal in its own words', (language) => {
    const locale = locales[language]!;
    for (const code of NEW_CODES) expect(locale.errors[code]?.trim().length, code).toBeGreaterThan(10);
    expect(locale.rejected.reason[ErrorCode.planLimitReached]).not.toBe(locale.rejected.reason.other);
    expect(locale.transcripts.audio.failure.over_plan?.length).toBeGreaterThan(10);
    if (language !== 'en') expect(locale.errors[ErrorCode.planLimitReached]).not.toBe(en.errors.plan_limit_reached);
  });

  it.each(['es', 'ar'])('%s has every key English has in the new sections', (language) => {
    for (const section of ['passwords', 'inviteEmail', 'billing']) {
      expect([...keysOf(locales[language]![section])].sort(), section).toEqual([...keysOf(locales.en![section])].sort());
    }
  });
});
