import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText } from './error-text.ts';

/** Turns any thrown error into a plain sentence in the current language (see error-text.ts). */
export function useErrorText(): (error: unknown) => string {
  const { t, i18n } = useTranslation();
  return useCallback((error: unknown) => errorText(t, i18n.resolvedLanguage ?? i18n.language, error), [t, i18n]);
}
