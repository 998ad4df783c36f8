import { useMutation } from '@tanstack/react-query';
import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatInviteCode, normalizeInviteCode } from '@duet/shared';
import { isApiError, useDuetClient, useMe } from '../../data/index.ts';
import { navigate } from '../../app/router.ts';
import { useErrorText } from '../../app/use-error-text.ts';

/** "That's your own code" rather than the generic "already linked" the server's code would give. */
function isOwnCode(error: unknown): boolean {
  return isApiError(error) && (error.details as { reason?: unknown } | undefined)?.reason === 'own_invite';
}

/**
 * Accepts the partner's invite code, joining their shared space. The code is sent as typed, in
 * any case and with spaces or dashes anywhere (the server normalises it the same way).
 */
export function AcceptInviteForm({
  disabled,
  initialCode,
  onAccepted,
}: {
  disabled: boolean;
  /** The code of an invitation email's link. */
  initialCode?: string | undefined;
  onAccepted?: (partnerName: string) => void;
}) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const me = useMe();
  const errorText = useErrorText();
  const id = useId();
  const [code, setCode] = useState(initialCode ?? '');
  // The panel shows the partner the moment the space is stored, which unmounts this form: the
  // panel is told from inside the call, not from a callback of this (by then gone) component.
  const accept = useMutation({
    mutationFn: async (value: string) => {
      const space = await client.invites.accept(value);
      // The link's code is used: keep it out of the address bar and history.
      if (window.location.search.includes('code=')) navigate(window.location.pathname, { replace: true });
      onAccepted?.(space.members.find((m) => m.userId !== me?.user.id)?.displayName ?? t('people.partner'));
      return space;
    },
  });
  const partner = accept.data?.members.find((m) => m.userId !== me?.user.id);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const value = formatInviteCode(normalizeInviteCode(code));
    if (!value) return;
    accept.mutate(value, { onSuccess: () => setCode('') });
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
          maxLength={64}
          required
        />
      </div>
      {accept.error && (
        <p className="form-error" role="alert">
          {isOwnCode(accept.error) ? t('partnerLink.ownCode') : errorText(accept.error)}
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
