/** The languages the app speaks; English is bundled, the others load on demand. */
export const LANGUAGES = ['en', 'es', 'ar'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';
/** Where the chosen language is remembered (read by the language detector on the next start). */
export const LANGUAGE_STORAGE_KEY = 'duet.language';

export function isLanguage(value: string): value is Language {
  return (LANGUAGES as readonly string[]).includes(value);
}

/** Resolves any BCP 47 tag ("es-MX", "ar-EG") to a language the app has. */
export function toLanguage(tag: string | undefined): Language {
  const base = (tag ?? '').toLowerCase().split('-')[0] ?? '';
  return isLanguage(base) ? base : DEFAULT_LANGUAGE;
}
