/** Whether partners hear what this device is doing (recording, reviewing); online and last seen are always shared. */
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreferences } from '../../app/preferences.ts';

export function ActivitySharingSection() {
  const { t } = useTranslation();
  const [preferences, setPreference] = usePreferences();
  const id = useId();
  return (
    <section className="settings-section card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        {t('presence.settingsTitle')}
      </h2>
      <label className="toggle" htmlFor={`${id}-share`}>
        <input
          id={`${id}-share`}
          type="checkbox"
          checked={preferences.shareActivity}
          aria-describedby={`${id}-hint`}
          onChange={(e) => setPreference('shareActivity', e.target.checked)}
        />
        <span>{t('presence.share')}</span>
      </label>
      <p id={`${id}-hint`} className="muted">
        {t('presence.shareHint')}
      </p>
    </section>
  );
}
