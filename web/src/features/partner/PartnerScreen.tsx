import { useTranslation } from 'react-i18next';
import { Link } from '../../app/Link.tsx';
import { ScreenHeading } from '../../app/ScreenHeading.tsx';
import { PartnerPanel } from './PartnerPanel.tsx';

/** The partner screen (also reachable from Settings). */
export function PartnerScreen({ code }: { code?: string | undefined }) {
  const { t } = useTranslation();
  return (
    <section className="screen">
      <Link href="/settings" className="back-link">
        <span aria-hidden="true" className="back-arrow">
          ‹
        </span>
        {t('nav.settings')}
      </Link>
      <ScreenHeading>{t('partner.title')}</ScreenHeading>
      <PartnerPanel initialCode={code} />
    </section>
  );
}
