/** Log in or sign up. Both need the network; offline, the screen says so and waits. */
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { LanguagePicker } from '../settings/LanguagePicker.tsx';
import { MIN_PASSWORD_LENGTH } from '@duet/shared';
import { useDuetClient, useSyncStatus } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { StatusLine } from '../../app/StatusLine.tsx';
import { UpdatePrompt } from '../../app/UpdatePrompt.tsx';
import { useAction } from '../../app/use-action.ts';
import { currentLanguage } from '../../i18n/index.ts';
import { navigate } from '../../app/router.ts';
import { TextField } from '../../app/TextField.tsx';

type Mode = 'login' | 'signup';

export function AuthScreen({ mode }: { mode: Mode }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { online } = useSyncStatus();
  const errorId = useId();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [displayName, setDisplayName] = useState('');
  const { busy, error, run } = useAction();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!online || busy) return;
    await run(async () => {
      if (mode === 'signup') {
        const timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        await client.auth.signup({ email, password, displayName, locale: currentLanguage(), timeZone });
      } else {
        await client.auth.login({ email, password, deviceName: navigator.userAgent.slice(0, 100) });
      }
      const path = window.location.pathname;
      if (path === '/login' || path === '/signup') navigate('/', { replace: true });
    });
  };

  return (
    <div className="app app--auth">
      <StatusLine connectionOnly />
      <div className="notices">
        <UpdatePrompt />
      </div>
      <main id="main" className="auth-screen" tabIndex={-1}>
        <p className="brand brand--large">{t('app.name')}</p>
        <p className="auth-tagline">{t('auth.tagline')}</p>
        <section className="card">
          <ScreenHeading>{mode === 'signup' ? t('auth.signupTitle') : t('auth.loginTitle')}</ScreenHeading>
          {!online && (
            <p className="notice notice--info" role="status">
              {t('auth.offline')}
            </p>
          )}
          <form className="form" onSubmit={(e) => void onSubmit(e)} aria-describedby={error ? errorId : undefined} noValidate={false}>
            {mode === 'signup' && (
              <TextField
                label={t('auth.displayName')}
                value={displayName}
                onChange={setDisplayName}
                autoComplete="name"
                required
                maxLength={80}
              />
            )}
            <TextField label={t('auth.email')} type="email" value={email} onChange={setEmail} autoComplete="email" required />
            <TextField
              label={t('auth.password')}
              type="password"
              value={password}
              onChange={setPassword}
              autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
              required
              minLength={mode === 'signup' ? MIN_PASSWORD_LENGTH : 1}
              {...(mode === 'signup' ? { hint: t('auth.passwordHint', { count: MIN_PASSWORD_LENGTH }) } : {})}
            />
            {error && (
              <p id={errorId} className="form-error" role="alert">
                {error}
              </p>
            )}
            <button type="submit" className="button button--primary button--block" disabled={!online || busy}>
              {busy ? t('auth.working') : mode === 'signup' ? t('auth.submitSignup') : t('auth.submitLogin')}
            </button>
          </form>
          {mode === 'login' && (
            <p className="auth-switch">
              <Link href="/forgot-password">{t('passwords.forgotLink')}</Link>
            </p>
          )}
          <p className="auth-switch">
            {mode === 'signup' ? <Link href="/login">{t('auth.toLogin')}</Link> : <Link href="/signup">{t('auth.toSignup')}</Link>}
          </p>
        </section>
        {/* The language can be chosen before signing in, too. */}
        <LanguagePicker />
      </main>
    </div>
  );
}
