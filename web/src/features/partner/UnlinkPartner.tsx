/** "Unlink", asked once more: both leave the shared space, which leaves both sides' devices. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient } from '../../data/index.ts';
import { FormError } from '../../app/FormError.tsx';
import { useAction } from '../../app/use-action.ts';

export function UnlinkPartner({ name, disabled, onUnlinked }: { name: string; disabled: boolean; onUnlinked: () => void }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const { busy, error, run } = useAction();
  const [asking, setAsking] = useState(false);
  const unlinkButton = useRef<HTMLButtonElement>(null);
  const confirmButton = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirmButton.current?.focus();
    else if (wasAsking.current) unlinkButton.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  const unlink = async () => {
    const done = await run(async () => {
      await client.invites.unlink();
      return true;
    });
    if (done) onUnlinked();
  };

  return (
    <>
      {asking ? (
        // Escape answers "no", as Cancel does.
        // eslint-disable-next-line jsx-a11y/no-noninteractive-element-interactions
        <div
          className="notice notice--warning"
          role="group"
          aria-label={t('partnerLink.confirm', { name })}
          onKeyDown={(e) => e.key === 'Escape' && setAsking(false)}
        >
          <p>{t('partnerLink.confirm', { name })}</p>
          <div className="button-row">
            <button
              ref={confirmButton}
              type="button"
              className="button button--danger"
              disabled={busy || disabled}
              onClick={() => void unlink()}
            >
              {t('partnerLink.confirmYes')}
            </button>
            <button type="button" className="button button--quiet" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </div>
      ) : (
        <button ref={unlinkButton} type="button" className="button" disabled={disabled} onClick={() => setAsking(true)}>
          {t('partnerLink.unlink')}
        </button>
      )}
      <FormError message={error} />
    </>
  );
}
