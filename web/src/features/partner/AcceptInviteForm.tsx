import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient, useMe } from '../../data/index.ts';
import { navigate } from '../../app/router.ts';
import { useErrorText } from '../../app/use-error-text.ts';

/** Accepts the partner's invite code, joining their shared space. */
export function AcceptInviteForm({ disabled, initialCode }: { disabled: boolean; initialCode?: string | undefined }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const me = useMe();
  const errorText = useErrorText();
  const id = useId();
  const [code, setCode] = useState(initialCode ?? '');
  const accept = useMutation({ mutationFn: (value: string) => client.invites.accept(value) });
  const partner = accept.data?.members.find((m) => m.userId !== me?.user.id);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const value = code.trim();
    if (value)
      accept.mutate(value, {
        onSuccess: () => {
          setCode('');
          // The link's code is used: keep it out of the address bar and history.
          if (window.location.search.includes('code=')) navigate(window.location.pathname, { replace: true });
        },
      });
  };

  return (
    <form className="card form" onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} className="section-title">
        {t('partner.acceptTitle')}
      </h2>
      <div className="field">
        <label htmlFor={id}>{t('partner.acceptLabel')}</label>
        <input
          id={id}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoComplete="off"
          autoCapitalize="characters"
          dir="ltr"
          spellCheck={false}
          maxLength={32}
          required
        />
      </div>
      {accept.error && (
        <p className="form-error" role="alert">
          {errorText(accept.error)}
        </p>
      )}
      {accept.isSuccess && (
        <p className="form-success" role="status">
          {t('partner.accepted', { name: partner?.displayName ?? t('people.partner') })}
        </p>
      )}
      <button type="submit" className="button button--primary" disabled={disabled || accept.isPending || !code.trim()}>
        {t('partner.accept')}
      </button>
    </form>
  );
}
