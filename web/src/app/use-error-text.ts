import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { errorCode } from '../data/index.ts';

/** Turns any thrown error into a plain sentence in the current language (by its code, never its message). */
export function useErrorText(): (error: unknown) => string {
  const { t } = useTranslation();
  return useCallback(
    (error: unknown) => {
      const code = errorCode(error);
      return t(`errors.${code}`, { defaultValue: t('errors.unknown') });
    },
    [t],
  );
}
