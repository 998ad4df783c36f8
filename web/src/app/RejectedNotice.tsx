/** Changes the server refused, told in plain words, with the lost text shown so it can be copied. */
import { useTranslation } from 'react-i18next';
import { useDuetClient, useSyncStatus } from '../data/index.ts';
import type { RejectedMutation } from '../data/index.ts';
import { excerpt } from './excerpt.ts';
import { textOfChange } from './unsendable-text.ts';

function RejectedItem({ rejected }: { rejected: RejectedMutation }) {
  const { t } = useTranslation();
  const client = useDuetClient();
  const text = textOfChange(rejected.args);
  const what = t(`rejected.what.${rejected.name}`, { defaultValue: t('rejected.what.other') });
  const reason = t(`rejected.reason.${rejected.code}`, { defaultValue: t('rejected.reason.other') });
  return (
    <li className="notice-item">
      <p>{t('rejected.item', { what, reason })}</p>
      {text && <p className="quote">{t('rejected.yourText', { text: excerpt(text, 160) })}</p>}
      <button type="button" className="button button--small button--quiet" onClick={() => void client.dismissRejected(rejected.id)}>
        {t('rejected.dismiss')}
      </button>
    </li>
  );
}

export function RejectedNotice() {
  const { t } = useTranslation();
  const { rejected } = useSyncStatus();
  if (rejected.length === 0) return null;
  return (
    <section className="notice notice--warning" role="alert" aria-labelledby="rejected-title">
      <h2 id="rejected-title" className="notice-title">
        {t('rejected.title', { count: rejected.length })}
      </h2>
      <ul className="notice-list">
        {rejected.map((r) => (
          <RejectedItem key={r.id} rejected={r} />
        ))}
      </ul>
    </section>
  );
}
