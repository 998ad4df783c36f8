/** Asks for a password reset link by email. The answer is the same whether or not the address has an account. */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useSyncStatus, useDuetClient } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { StatusLine } from '../../app/StatusLine.tsx';
import { TextField } from '../../app/TextField.tsx';
import { useAction } from '../../app/use-action.ts';

export function ForgotPasswordScreen() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { online } = useSyncStatus();
  const errorId = useId();
  const [email, setEmail] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!online || busy) return;
    await run(async () => {
      await client.account.requestPasswordReset(email);
      setSentTo(email);
    });
  };

  return (
    <div className="app app--auth">
      <StatusLine connectionOnly />
      <main id="main" className="auth-screen" tabIndex={-1}>
        <p className="brand brand--large">{t('app.name')}</p>
        <section className="card">
          <ScreenHeading>{t('passwords.forgotTitle')}</ScreenHeading>
          {!online && (
            <p className="notice notice--info" role="status">
              {t('passwords.offline')}
            </p>
          )}
          {sentTo ? (
            <p className="form-success" role="status">
              {t('passwords.forgotSent', { email: sentTo })}
            </p>
          ) : (
            <form className="form" onSubmit={(e) => void onSubmit(e)} aria-describedby={error ? errorId : undefined}>
              <p className="muted">{t('passwords.forgotHelp')}</p>
              <TextField label={t('auth.email')} type="email" value={email} onChange={setEmail} autoComplete="email" required />
              {error && (
                <p id={errorId} className="form-error" role="alert">
                  {error}
                </p>
              )}
              <button type="submit" className="button button--primary button--block" disabled={!online || busy}>
                {busy ? t('auth.working') : t('passwords.forgotSubmit')}
              </button>
            </form>
          )}
          <p className="auth-switch">
            <Link href="/login">{t('passwords.backToLogin')}</Link>
          </p>
        </section>
      </main>
    </div>
  );
}
