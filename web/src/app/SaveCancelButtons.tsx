/** The Save (submits the form) and Cancel pair of a small in-place editor. */
import { useTranslation } from 'react-i18next';

export function SaveCancelButtons({ onCancel }: { onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <div className="button-row">
      <button type="submit" className="button button--small button--primary">
        {t('common.save')}
      </button>
      <button type="button" className="button button--small button--quiet" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
