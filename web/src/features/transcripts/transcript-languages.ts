/** Languages offered for a transcript; their names come from Intl.DisplayNames in the UI's language. */
export const TRANSCRIPT_LANGUAGES = ['en', 'es', 'ar', 'fr', 'pt', 'de', 'it'] as const;

export function languageName(tag: string, uiLanguage: string): string {
  try {
    return new Intl.DisplayNames([uiLanguage], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}
