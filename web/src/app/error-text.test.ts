// The sign-in and invite forms' error text, with the real locale files and a real 429 as the server sends it.
import { createInstance, type TFunction } from 'i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { ApiClient, ApiError } from '@duet/client';
import ar from '../locales/ar.json';
import en from '../locales/en.json';
import es from '../locales/es.json';
import { errorText } from './error-text.ts';

const translators = new Map<string, TFunction>();

beforeAll(async () => {
  for (const [language, translation] of Object.entries({ en, es, ar })) {
    const i18n = createInstance();
    await i18n.init({
      lng: language,
      resources: { [language]: { translation } },
      interpolation: { escapeValue: false },
      showSupportNotice: false,
    });
    translators.set(language, i18n.t);
  }
});

const text = (language: string, error: unknown) => errorText(translators.get(language) as TFunction, language, error);

/** What the server answers to the eleventh wrong password: 429 with Retry-After and details.retryAfterSec. */
async function loginAfterLockout(retryAfterSec: number): Promise<unknown> {
  const fetch = async () =>
    new Response(
      JSON.stringify({ error: { code: 'rate_limited', message: 'too many failed logins; try again later', details: { retryAfterSec } } }),
      {
        status: 429,
        headers: { 'Content-Type': 'application/json', 'Retry-After': String(retryAfterSec) },
      },
    );
  return new ApiClient({ baseUrl: '', fetch }).login({ email: 'ana@example.test', password: 'wrong password' }).catch((e: unknown) => e);
}

describe('error text', () => {
  it('says exactly how long to wait after too many attempts, in every language', async () => {
    const error = await loginAfterLockout(14 * 60 - 20);
    expect(text('en', error)).toBe('Too many attempts. Try again in 14 minutes.');
    expect(text('es', error)).toBe('Demasiados intentos. Vuelve a intentarlo dentro de 14 minutos.');
    expect(text('ar', error)).toBe('محاولات كثيرة جدًا. حاول مجددًا خلال 14 دقيقة.');
  });

  it.each([
    [1, 'Too many attempts. Try again in 1 second.'],
    [45, 'Too many attempts. Try again in 45 seconds.'],
    [60, 'Too many attempts. Try again in 1 minute.'],
    [61, 'Too many attempts. Try again in 2 minutes.'],
    [900, 'Too many attempts. Try again in 15 minutes.'],
    [3600, 'Too many attempts. Try again in 1 hour.'],
    [3 * 3600 - 5, 'Too many attempts. Try again in 3 hours.'],
  ])('rounds a wait of %i s up: %s', async (seconds, expected) => {
    expect(text('en', await loginAfterLockout(seconds))).toBe(expected);
  });

  it('uses the Retry-After header when the body has no details', () => {
    const error = new ApiError({ code: 'rate_limited', status: 429, retryAfter: 120 });
    expect(text('en', error)).toBe('Too many attempts. Try again in 2 minutes.');
  });

  it('never tells the person to "wait a moment"', () => {
    const unknownWait = new ApiError({ code: 'rate_limited', status: 429 });
    for (const language of ['en', 'es', 'ar']) expect(text(language, unknownWait)).not.toBe(translators.get(language)?.('errors.unknown'));
    expect(text('en', unknownWait)).not.toMatch(/moment/i);
    expect(text('es', unknownWait)).not.toMatch(/momento/i);
    expect(text('ar', unknownWait)).not.toMatch(/قليل/);
  });

  it.each(['invite_used', 'invite_expired', 'invite_not_found'])(
    'explains %s in plain words, in every language and differently from the others',
    (code) => {
      for (const language of ['en', 'es', 'ar']) {
        const t = translators.get(language) as TFunction;
        const said = text(language, new ApiError({ code, status: code === 'invite_not_found' ? 404 : 410 }));
        expect(said).not.toBe(t('errors.unknown'));
        const others = ['invite_used', 'invite_expired', 'invite_not_found'].filter((c) => c !== code);
        for (const other of others) expect(said).not.toBe(text(language, new ApiError({ code: other, status: 410 })));
      }
    },
  );
});
