import { useTranslation } from 'react-i18next';
import { applyUpdate } from '../pwa/register-sw.ts';
import { usePwaState } from '../pwa/use-pwa-state.ts';

/** "A new version is ready": the page reloads only when the person says so. */
export function UpdatePrompt() {
  const { t } = useTranslation();
  const { updateReady } = usePwaState();
  if (!updateReady) return null;
  return (
    <div className="notice notice--info" role="status">
      <p>{t('pwa.updateReady')}</p>
      <button type="button" className="button" onClick={applyUpdate}>
        {t('pwa.reload')}
      </button>
    </div>
  );
}
