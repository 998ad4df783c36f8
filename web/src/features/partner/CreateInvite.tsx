import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient } from '../../data/index.ts';
import { useErrorText } from '../../app/use-error-text.ts';
import { useFormatters } from '../../i18n/format.ts';

/** Creates an invite code (valid 7 days) for the partner to type in on their device. */
export function CreateInvite({ disabled }: { disabled: boolean }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const errorText = useErrorText();
  const format = useFormatters();
  const [copied, setCopied] = useState(false);
  const invite = useMutation({ mutationFn: () => client.invites.create() });

  const copy = async (code: string) => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };

  return (
    <section className="card stack" aria-labelledby="create-invite-title">
      <h2 id="create-invite-title" className="section-title">
        {t('partner.inviteTitle')}
      </h2>
      <p className="muted">{t('partner.inviteHelp')}</p>
      {invite.data ? (
        <div className="invite-code-box">
          <p className="invite-label" id="invite-code-label">
            {t('partner.inviteCode')}
          </p>
          <output className="invite-code" aria-labelledby="invite-code-label">
            {invite.data.code}
          </output>
          <p className="muted">{t('partner.expires', { date: format.dateTime(Date.parse(invite.data.expiresAt)) })}</p>
          <button type="button" className="button button--small" onClick={() => void copy(invite.data.code)}>
            {copied ? t('partner.copied') : t('partner.copy')}
          </button>
        </div>
      ) : null}
      {invite.error && (
        <p className="form-error" role="alert">
          {errorText(invite.error)}
        </p>
      )}
      <button type="button" className="button button--primary" disabled={disabled || invite.isPending} onClick={() => invite.mutate()}>
        {invite.data ? t('partner.createAnother') : t('partner.createInvite')}
      </button>
    </section>
  );
}
