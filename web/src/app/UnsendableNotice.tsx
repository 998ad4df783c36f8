/**
 * Changes the server keeps failing on (500s), told in plain words. They stay in the outbox and are
 * retried; the person can copy them (as readable text and JSON) and discard them so the rest goes.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient, useSyncStatus } from '../data/index.ts';
import { useFormatters } from '../i18n/format.ts';
import { excerpt } from './excerpt.ts';
import { textOfChange, unsendableText } from './unsendable-text.ts';

type Copy = 'idle' | 'copied' | 'failed';

export function UnsendableNotice() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const format = useFormatters();
  const { unsendable } = useSyncStatus();
  const [copy, setCopy] = useState<Copy>('idle');
  const [confirming, setConfirming] = useState(false);
  if (unsendable.length === 0) return null;
  const fullText = unsendableText(
    unsendable,
    (key, options) => t(key, options ?? {}),
    (ms) => format.dateTime(ms),
  );

  const copyAll = async () => {
    try {
      await navigator.clipboard.writeText(fullText);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };
  const discard = async () => {
    setConfirming(false);
    setCopy('idle');
    await client.discardUnsendable();
  };

  return (
    <section className="notice notice--warning" role="alert" aria-labelledby="unsendable-title">
      <h2 id="unsendable-title" className="notice-title">
        {t('unsendable.title', { count: unsendable.length })}
      </h2>
      <p>{t('unsendable.explain')}</p>
      <ul className="notice-list">
        {unsendable.map((change) => {
          const text = textOfChange(change.args);
          return (
            <li key={change.id} className="notice-item">
              <p>{t(`rejected.what.${change.name}`, { defaultValue: t('rejected.what.other') })}</p>
              {text && <p className="quote">{t('rejected.yourText', { text: excerpt(text, 160) })}</p>}
            </li>
          );
        })}
      </ul>
      {copy === 'copied' && <p role="status">{t('unsendable.copied')}</p>}
      {copy === 'failed' && (
        <>
          <p role="status">{t('unsendable.copyFailed')}</p>
          <textarea className="notice-copy" readOnly value={fullText} rows={6} aria-label={t('unsendable.copyHeading')} />
        </>
      )}
      {confirming ? (
        <div className="notice-actions">
          <p>{t('unsendable.confirmDiscard')}</p>
          <button type="button" className="button button--small button--danger" onClick={() => void discard()}>
            {t('unsendable.confirmYes')}
          </button>
          <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(false)}>
            {t('unsendable.keep')}
          </button>
        </div>
      ) : (
        <div className="notice-actions">
          <button type="button" className="button button--small" onClick={() => void copyAll()}>
            {t('unsendable.copy')}
          </button>
          <button type="button" className="button button--small button--quiet" onClick={() => setConfirming(true)}>
            {t('unsendable.discard')}
          </button>
        </div>
      )}
    </section>
  );
}
