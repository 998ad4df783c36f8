/**
 * Sync health for the person: what waits to be sent, the last successful sync, recordings waiting
 * for upload, storage used and whether the browser keeps it, and a "Sync now" button. Works
 * offline (it reads this device only) and refreshes whenever the sync status changes.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { readSyncHealth, type PendingKind } from '@duet/client';
import { useDuetClient, useSyncStatus } from '../../data/index.ts';
import { useFormatters } from '../../i18n/format.ts';
import { useNow } from '../../app/use-now.ts';

const KIND_ORDER: PendingKind[] = ['message', 'conversation', 'transcript', 'session', 'read', 'other'];

async function persisted(): Promise<boolean | null> {
  return navigator.storage?.persisted ? navigator.storage.persisted() : null;
}

export function SyncHealthSection() {
  const { t, i18n } = useTranslation();
  const client = useDuetClient();
  const status = useSyncStatus();
  const format = useFormatters();
  const now = useNow();
  const [asked, setAsked] = useState(false);
  const health = useQuery({
    queryKey: ['sync-health'],
    queryFn: () => readSyncHealth(client, persisted),
    networkMode: 'always',
    refetchInterval: 5_000,
  });
  const { refetch } = health;
  useEffect(() => {
    void refetch();
  }, [status.pending, status.lastSyncAt, status.syncing, refetch]);

  const syncNow = async () => {
    setAsked(true);
    await client.engine.syncNow().catch(() => undefined);
    await refetch();
  };

  const h = health.data;
  const byKind = h
    ? KIND_ORDER.flatMap((kind) => {
        const count = h.pendingByKind[kind];
        return count ? [t(`everyday.health.kind.${kind}`, { count })] : [];
      })
    : [];
  const outcome =
    !asked || status.syncing
      ? null
      : !status.online
        ? t('status.offlineHint')
        : status.error
          ? t(`status.errors.${status.error}`)
          : t('everyday.health.syncedNow');

  return (
    <section className="settings-section card" aria-labelledby="settings-sync-health">
      <h2 id="settings-sync-health" className="section-title">
        {t('everyday.health.title')}
      </h2>
      {!h ? (
        <p className="muted">{t('app.loading')}</p>
      ) : (
        <dl className="health-list">
          <dt>{t('everyday.health.waiting')}</dt>
          <dd>
            {h.pending === 0
              ? t('everyday.health.nothingWaiting')
              : t('everyday.health.waitingCount', {
                  count: h.pending,
                  kinds: new Intl.ListFormat(i18n.language, { type: 'conjunction' }).format(byKind),
                })}
            {h.oldestPendingAt !== null && (
              <span className="muted"> {t('everyday.health.oldest', { when: format.relative(h.oldestPendingAt, now) })}</span>
            )}
          </dd>
          <dt>{t('everyday.health.lastSync')}</dt>
          <dd>{h.lastSyncAt === null ? t('status.neverSynced') : format.relative(h.lastSyncAt, now)}</dd>
          <dt>{t('everyday.health.audio')}</dt>
          <dd>
            {h.audioWaiting === 0
              ? t('everyday.health.noAudio')
              : t('everyday.health.audioCount', { count: h.audioWaiting, size: format.bytes(h.audioWaitingBytes) })}
            {h.audioFailed > 0 && <span className="form-error"> {t('everyday.health.audioFailed', { count: h.audioFailed })}</span>}
          </dd>
          <dt>{t('everyday.health.storage')}</dt>
          <dd>
            {h.storage
              ? t('settings.usage', { used: format.bytes(h.storage.usage), quota: format.bytes(h.storage.quota) })
              : t('settings.storageUnknown')}
          </dd>
          <dt>{t('everyday.health.persisted')}</dt>
          <dd>
            {h.persisted === null
              ? t('everyday.health.persistedUnknown')
              : h.persisted
                ? t('everyday.health.persistedYes')
                : t('everyday.health.persistedNo')}
          </dd>
        </dl>
      )}
      <button type="button" className="button" onClick={() => void syncNow()} disabled={status.syncing}>
        {status.syncing ? t('status.syncing') : t('everyday.health.syncNow')}
      </button>
      <p role="status" className="muted">
        {outcome}
      </p>
    </section>
  );
}
