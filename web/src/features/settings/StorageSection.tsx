/** How much this device stores, its quota, and a button asking the browser to keep the data. */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient } from '../../data/index.ts';
import { useFormatters } from '../../i18n/format.ts';

async function isPersisted(): Promise<boolean> {
  return (await navigator.storage?.persisted?.()) ?? false;
}

export function StorageSection() {
  const { t } = useTranslation();
  const client = useDuetClient();
  const format = useFormatters();
  const queryClient = useQueryClient();
  const [answer, setAnswer] = useState<'granted' | 'denied' | null>(null);
  const estimate = useQuery({ queryKey: ['storage-estimate'], queryFn: () => client.storageEstimate(), networkMode: 'always' });
  const persisted = useQuery({ queryKey: ['storage-persisted'], queryFn: isPersisted, networkMode: 'always' });

  const ask = async () => {
    const granted = await client.requestPersistentStorage().catch(() => false);
    setAnswer(granted ? 'granted' : 'denied');
    await queryClient.invalidateQueries({ queryKey: ['storage-persisted'] });
  };

  const usage = estimate.data;
  return (
    <section className="settings-section card" aria-labelledby="settings-storage">
      <h2 id="settings-storage" className="section-title">
        {t('settings.storage')}
      </h2>
      {usage ? (
        <>
          <p>{t('settings.usage', { used: format.bytes(usage.usage), quota: format.bytes(usage.quota) })}</p>
          <meter min={0} max={usage.quota || 1} value={usage.usage} aria-label={t('settings.usageMeter')} className="meter" />
        </>
      ) : (
        estimate.isFetched && <p className="muted">{t('settings.storageUnknown')}</p>
      )}
      <p>{persisted.data ? t('settings.persistent') : t('settings.notPersistent')}</p>
      {!persisted.data && (
        <button type="button" className="button" onClick={() => void ask()}>
          {t('settings.requestPersistent')}
        </button>
      )}
      {answer === 'denied' && (
        <p className="muted" role="status">
          {t('settings.persistDenied')}
        </p>
      )}
      {answer === 'granted' && (
        <p className="form-success" role="status">
          {t('settings.persistGranted')}
        </p>
      )}
    </section>
  );
}
