/** The line under the header on every screen: connection, waiting changes, last sync, progress, errors. */
import { useTranslation } from 'react-i18next';
import { useDuetClient, useSyncStatus } from '../data/index.ts';
import { useFormatters } from '../i18n/format.ts';
import { useNow } from './use-now.ts';

/** `connectionOnly`: just online/offline, for the sign-in screens where nothing syncs yet. */
export function StatusLine({ connectionOnly = false }: { connectionOnly?: boolean }) {
  const { t } = useTranslation();
  const status = useSyncStatus();
  const { engine } = useDuetClient();
  const format = useFormatters();
  const now = useNow();
  const progress = status.syncing ? status.progress : null;
  const showProgress = progress !== null && (progress.pages > 1 || progress.items >= 100);

  return (
    <div className="status-line" role="status" aria-label={t('status.label')}>
      <p className="status-row">
        <span className={`status-dot ${status.online ? 'status-dot--online' : 'status-dot--offline'}`} aria-hidden="true" />
        <span className="status-connection">{status.online ? t('status.online') : t('status.offline')}</span>
        {!connectionOnly && (
          <>
            <span className="status-sep" aria-hidden="true">
              ·
            </span>
            <span className="status-pending">
              {status.pending > 0 ? t('status.pending', { count: status.pending }) : t('status.allSaved')}
            </span>
            <span className="status-sep" aria-hidden="true">
              ·
            </span>
            {status.syncing && !showProgress ? (
              <span>{t('status.syncing')}</span>
            ) : status.lastSyncAt !== null ? (
              <time dateTime={new Date(status.lastSyncAt).toISOString()} title={format.dateTime(status.lastSyncAt)}>
                {t('status.lastSync', { when: format.relative(status.lastSyncAt, Math.max(now, Date.now())) })}
              </time>
            ) : (
              <span>{t('status.neverSynced')}</span>
            )}
          </>
        )}
      </p>
      {showProgress && progress && (
        <div className="status-progress">
          <span>
            {t('status.progress', {
              count: progress.items,
              items: format.number(progress.items),
              percent: format.percent(progress.percent / 100),
            })}
          </span>
          <progress max={100} value={progress.percent} aria-label={t('status.progressLabel')} />
        </div>
      )}
      {!status.online && !connectionOnly && <p className="status-note">{t('status.offlineHint')}</p>}
      {/* Offline, the hint above already says why nothing reaches the server; a refused protocol is the update prompt's. */}
      {!connectionOnly &&
        status.error &&
        status.error !== 'offline' &&
        status.error !== 'unsupported_protocol' &&
        !(status.error === 'network' && !status.online) && (
          <p className="status-error">
            {t(`status.errors.${status.error}`)}{' '}
            {status.online && status.error !== 'unauthorized' && (
              <button type="button" className="link-button" onClick={() => void engine.syncNow()}>
                {t('status.retry')}
              </button>
            )}
          </p>
        )}
      {status.storage === 'memory' && <p className="status-error">{t('status.memoryStorage')}</p>}
      {status.upgradeBlocked && (
        <p className="status-error">
          {t('status.upgradeBlocked')}{' '}
          <button type="button" className="link-button" onClick={() => window.location.reload()}>
            {t('pwa.reload')}
          </button>
        </p>
      )}
    </div>
  );
}
