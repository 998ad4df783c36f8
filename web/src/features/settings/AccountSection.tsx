import { useTranslation } from 'react-i18next';
import { useAuth } from '../../data/index.ts';

export function AccountSection() {
  const { t } = useTranslation();
  const auth = useAuth();
  if (!auth) return null;
  return (
    <section className="settings-section card" aria-labelledby="settings-account">
      <h2 id="settings-account" className="section-title">
        {t('settings.account')}
      </h2>
      <dl className="pairs">
        <div>
          <dt>{t('settings.name')}</dt>
          <dd>{auth.user.displayName}</dd>
        </div>
        <div>
          <dt>{t('settings.email')}</dt>
          <dd dir="ltr">{auth.user.email}</dd>
        </div>
        <div>
          <dt>{t('settings.timeZone')}</dt>
          <dd>{auth.user.timeZone}</dd>
        </div>
      </dl>
    </section>
  );
}
