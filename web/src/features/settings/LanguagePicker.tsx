import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { changeLanguage, currentLanguage } from '../../i18n/index.ts';
import { LANGUAGES, isLanguage } from '../../i18n/languages.ts';

/** Each language is named in itself ("Español", "العربية"), as Intl spells it. */
function autonym(language: string): string {
  try {
    const name = new Intl.DisplayNames([language], { type: 'language' }).of(language) ?? language;
    return name.charAt(0).toLocaleUpperCase(language) + name.slice(1);
  } catch {
    return language;
  }
}

export function LanguagePicker() {
  const { t } = useTranslation();
  const id = useId();
  return (
    <section className="settings-section card">
      <div className="field">
        <label htmlFor={id} className="section-title">
          {t('settings.language')}
        </label>
        <select
          id={id}
          value={currentLanguage()}
          onChange={(e) => {
            if (isLanguage(e.target.value)) void changeLanguage(e.target.value);
          }}
        >
          {LANGUAGES.map((language) => (
            <option key={language} value={language} lang={language}>
              {autonym(language)}
            </option>
          ))}
        </select>
      </div>
    </section>
  );
}
