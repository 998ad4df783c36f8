import { useTranslation } from 'react-i18next';
import { promptInstall } from '../pwa/install-prompt.ts';
import { usePwaState } from '../pwa/use-pwa-state.ts';

/** Shown only after the browser fired `beforeinstallprompt`. */
export function InstallButton() {
  const { t } = useTranslation();
  const { canInstall } = usePwaState();
  if (!canInstall) return null;
  return (
    <button type="button" className="button button--small" onClick={() => void promptInstall()}>
      {t('pwa.install')}
    </button>
  );
}
