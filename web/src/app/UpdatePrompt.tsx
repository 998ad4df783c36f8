import { useTranslation } from 'react-i18next';
import { useSyncStatus } from '../data/index.ts';
import { applyUpdate } from '../pwa/register-sw.ts';
import { usePwaState } from '../pwa/use-pwa-state.ts';

/**
 * "A new version is ready": the page reloads only when the person says so. When the server no
 * longer serves this version (sync stopped with `unsupported_protocol`), it says so in plain words:
 * with a new version waiting, reloading updates; without one, how to get it.
 */
export function UpdatePrompt() {
  const { t } = useTranslation();
  const { updateReady } = usePwaState();
  const mustUpdate = useSyncStatus().error === 'unsupported_protocol';
  if (!updateReady && !mustUpdate) return null;
  return (
    <div className={mustUpdate ? 'notice notice--warning' : 'notice notice--info'} role={mustUpdate ? 'alert' : 'status'}>
      <p>{mustUpdate ? t('pwa.updateRequired') : t('pwa.updateReady')}</p>
      {mustUpdate && <p>{updateReady ? t('pwa.updateRequiredReady') : t('pwa.updateRequiredHowTo')}</p>}
      {updateReady && (
        <button type="button" className="button" onClick={applyUpdate}>
          {t('pwa.reload')}
        </button>
      )}
    </div>
  );
}
