/** Emails the partner an invite code, with a link that opens the accept screen with the code filled in. */
import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient } from '../../data/index.ts';
import { TextField } from '../../app/TextField.tsx';
import { useErrorText } from '../../app/use-error-text.ts';

export function InviteByEmailForm({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const errorText = useErrorText();
  const titleId = useId();
  const [email, setEmail] = useState('');
  const send = useMutation({ mutationFn: (to: string) => client.invites.sendByEmail(to) });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const to = email.trim();
    if (to) send.mutate(to, { onSuccess: () => setEmail('') });
  };

  return (
    <form className="card form" onSubmit={onSubmit} aria-labelledby={titleId}>
      <h2 id={titleId} className="section-title">
        {t('inviteEmail.title')}
      </h2>
      <p className="muted">{t('inviteEmail.help')}</p>
      <TextField label={t('inviteEmail.label')} type="email" value={email} onChange={setEmail} autoComplete="email" required dir="ltr" />
      {send.error && (
        <p className="form-error" role="alert">
          {errorText(send.error)}
        </p>
      )}
      {send.isSuccess && (
        <p className="form-success" role="status">
          {t('inviteEmail.sent', { email: send.variables, code: send.data.code })}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={disabled || send.isPending || !email.trim()}>
        {send.isPending ? t('auth.working') : t('inviteEmail.send')}
      </button>
    </form>
  );
}
