/** Changes the password with the current one; every other session of the person is signed out. */
import { MIN_PASSWORD_LENGTH } from '@duet/shared';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient, useSyncStatus } from '../../data/index.ts';
import { TextField } from '../../app/TextField.tsx';
import { useAction } from '../../app/use-action.ts';

export function ChangePasswordSection() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { online } = useSyncStatus();
  const titleId = useId();
  const errorId = useId();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [signedOut, setSignedOut] = useState<number | null>(null);
  const { busy, error, run } = useAction();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!online || busy) return;
    setSignedOut(null);
    await run(async () => {
      const answer = await client.account.changePassword(current, next);
      setCurrent('');
      setNext('');
      setSignedOut(answer.revokedSessions);
    });
  };

  return (
    <section className="settings-section card" aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {t('passwords.changeTitle')}
      </h2>
      <form className="form" onSubmit={(e) => void onSubmit(e)} aria-describedby={error ? errorId : undefined}>
        <TextField
          label={t('passwords.currentPassword')}
          type="password"
          value={current}
          onChange={setCurrent}
          autoComplete="current-password"
          required
        />
        <TextField
          label={t('passwords.newPassword')}
          type="password"
          value={next}
          onChange={setNext}
          autoComplete="new-password"
          required
          minLength={MIN_PASSWORD_LENGTH}
          hint={t('passwords.changeHint', { count: MIN_PASSWORD_LENGTH })}
        />
        {!online && <p className="muted">{t('passwords.offline')}</p>}
        {error && (
          <p id={errorId} className="form-error" role="alert">
            {error}
          </p>
        )}
        {signedOut !== null && (
          <p className="form-success" role="status">
            {t('passwords.changed', { count: signedOut })}
          </p>
        )}
        <button type="submit" className="button button--primary" disabled={!online || busy}>
          {busy ? t('auth.working') : t('passwords.changeSubmit')}
        </button>
      </form>
    </section>
  );
}
