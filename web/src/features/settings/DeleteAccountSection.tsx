/**
 * Deleting the account: says what goes and what stays with the partner, asks for the password,
 * then the server deletes everything of the person and this device is cleaned.
 */
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { errorCode, useDuetClient } from '../../data/index.ts';
import { navigate } from '../../app/router.ts';
import { useAction } from '../../app/use-action.ts';
import { FormError } from '../../app/FormError.tsx';
import { TextField } from '../../app/TextField.tsx';

export function DeleteAccountSection() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [wrongPassword, setWrongPassword] = useState(false);
  const { busy, error, run } = useAction();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setWrongPassword(false);
    const done = await run(
      async () => {
        await client.deleteAccount(password);
        return true;
      },
      (e) => setWrongPassword(errorCode(e) === 'invalid_credentials'),
    );
    if (done) navigate('/signup', { replace: true });
  };

  return (
    <section className="settings-section card" aria-labelledby="settings-delete-account">
      <h2 id="settings-delete-account" className="section-title">
        {t('everyday.account.deleteTitle')}
      </h2>
      <p className="muted">{t('everyday.account.deleteWhat')}</p>
      {!open ? (
        <button type="button" className="button button--danger" onClick={() => setOpen(true)}>
          {t('everyday.account.deleteStart')}
        </button>
      ) : (
        <form className="form" onSubmit={(e) => void submit(e)} aria-label={t('everyday.account.deleteTitle')}>
          <TextField
            label={t('everyday.account.password')}
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={setPassword}
            hint={t('everyday.account.passwordHint')}
            required
          />
          <div className="button-row">
            <button type="submit" className="button button--danger" disabled={busy || password === ''}>
              {t('everyday.account.deleteConfirm')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setOpen(false)}>
              {t('common.cancel')}
            </button>
          </div>
          <FormError message={wrongPassword ? t('everyday.account.wrongPassword') : error} />
        </form>
      )}
    </section>
  );
}
