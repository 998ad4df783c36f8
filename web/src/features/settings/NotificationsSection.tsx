/**
 * System notifications while Duet is hidden: off by default; turning the setting on is the moment
 * the browser is asked for permission (never before), and a refusal is said in plain words.
 */
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePreferences } from '../../app/preferences.ts';
import { systemNotificationsSupported } from '../../app/use-system-notifications.ts';

export function NotificationsSection() {
  const { t } = useTranslation();
  const [preferences, setPreference] = usePreferences();
  const [problem, setProblem] = useState<'denied' | 'unsupported' | null>(null);
  const id = useId();
  const supported = systemNotificationsSupported();
  const on = preferences.systemNotifications && supported && Notification.permission === 'granted';

  const change = async (wanted: boolean) => {
    setProblem(null);
    if (!wanted) return setPreference('systemNotifications', false);
    if (!supported) return setProblem('unsupported');
    const permission = Notification.permission === 'default' ? await Notification.requestPermission() : Notification.permission;
    if (permission !== 'granted') {
      setPreference('systemNotifications', false);
      return setProblem('denied');
    }
    setPreference('systemNotifications', true);
  };

  return (
    <section className="settings-section card" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        {t('notifications.settingsTitle')}
      </h2>
      <label className="toggle" htmlFor={`${id}-system`}>
        <input
          id={`${id}-system`}
          type="checkbox"
          checked={on}
          disabled={!supported}
          aria-describedby={`${id}-hint`}
          onChange={(e) => void change(e.target.checked)}
        />
        <span>{t('notifications.system')}</span>
      </label>
      <p id={`${id}-hint`} className="muted">
        {supported ? t('notifications.systemHint') : t('notifications.unsupported')}
      </p>
      {problem && (
        <p className="form-error" role="alert">
          {t(`notifications.${problem}`)}
        </p>
      )}
    </section>
  );
}
