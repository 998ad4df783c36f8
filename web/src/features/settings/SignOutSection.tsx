/** Sign out: warns first when changes are still waiting, because signing out clears this device. */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient, useSyncStatus } from '../../data/index.ts';
import { navigate } from '../../app/router.ts';
import { useAction } from '../../app/use-action.ts';
import { FormError } from '../../app/FormError.tsx';

export function SignOutSection() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { pending } = useSyncStatus();
  const [waiting, setWaiting] = useState<number | null>(null);
  const { busy, error, run } = useAction();

  const signOut = async (force: boolean) => {
    const result = await run(() => client.signOut({ force }));
    if (!result) return;
    // Changes still waiting: the person is warned and decides.
    if (result.pending > 0) setWaiting(result.pending);
    else navigate('/login', { replace: true });
  };

  return (
    <section className="settings-section card" aria-labelledby="settings-signout">
      <h2 id="settings-signout" className="section-title">
        {t('settings.signOutTitle')}
      </h2>
      <p className="muted">{t('settings.signOutHint')}</p>
      {waiting !== null && pending > 0 ? (
        <div className="notice notice--warning" role="alert">
          <p>{t('settings.signOutWarning', { count: pending })}</p>
          <div className="button-row">
            <button type="button" className="button button--danger" disabled={busy} onClick={() => void signOut(true)}>
              {t('settings.signOutAnyway')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setWaiting(null)}>
              {t('settings.staySignedIn')}
            </button>
          </div>
        </div>
      ) : (
        <button type="button" className="button" disabled={busy} onClick={() => void signOut(false)}>
          {t('settings.signOut')}
        </button>
      )}
      <FormError message={error} />
    </section>
  );
}
