/**
 * Sets a new password with the token of a reset email. Every session of the person ends, this
 * device's too, so the screen ends by asking to log in with the new password.
 */
import { MIN_PASSWORD_LENGTH } from '@duet/shared';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useAuth, useDuetClient, useSyncStatus } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { StatusLine } from '../../app/StatusLine.tsx';
import { TextField } from '../../app/TextField.tsx';
import { useAction } from '../../app/use-action.ts';

export function ResetPasswordScreen({ token }: { token: string }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const auth = useAuth();
  const { online } = useSyncStatus();
  const errorId = useId();
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const { busy, error, run } = useAction();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!online || busy) return;
    await run(async () => {
      await client.account.resetPassword(token, password);
      // This device's session ended with the others: forget its token (its data stays for the next log-in).
      if (auth) await client.auth.logout();
      setDone(true);
    });
  };

  return (
    <div className="app app--auth">
      <StatusLine connectionOnly />
      <main id="main" className="auth-screen" tabIndex={-1}>
        <p className="brand brand--large">{t('app.name')}</p>
        <section className="card">
          <ScreenHeading>{t('passwords.resetTitle')}</ScreenHeading>
          {done ? (
            <p className="form-success" role="status">
              {t('passwords.resetDone')}
            </p>
          ) : !token ? (
            <p className="form-error" role="alert">
              {t('passwords.resetNoToken')}
            </p>
          ) : (
            <form className="form" onSubmit={(e) => void onSubmit(e)} aria-describedby={error ? errorId : undefined}>
              {!online && (
                <p className="notice notice--info" role="status">
                  {t('passwords.offline')}
                </p>
              )}
              <TextField
                label={t('passwords.newPassword')}
                type="password"
                value={password}
                onChange={setPassword}
                autoComplete="new-password"
                required
                minLength={MIN_PASSWORD_LENGTH}
                hint={t('auth.passwordHint', { count: MIN_PASSWORD_LENGTH })}
              />
              <p className="muted">{t('passwords.resetSignsOut')}</p>
              {error && (
                <p id={errorId} className="form-error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" className="button button--primary button--block" disabled={!online || busy}>
                {busy ? t('auth.working') : t('passwords.resetSubmit')}
              </button>
            </form>
          )}
          <p className="auth-switch">
            {done ? <Link href="/login">{t('passwords.logInNow')}</Link> : <Link href="/forgot-password">{t('passwords.askAgain')}</Link>}
          </p>
        </section>
      </main>
    </div>
  );
}
