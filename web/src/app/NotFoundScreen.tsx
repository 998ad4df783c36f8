import { useTranslation } from 'react-i18next';
import { Link } from './Link.tsx';
import { ScreenHeading } from './ScreenHeading.tsx';

export function NotFoundScreen() {
  const { t } = useTranslation();
  return (
    <section className="screen">
      <ScreenHeading>{t('app.notFound.title')}</ScreenHeading>
      <p>
        <Link href="/conversations">{t('app.notFound.back')}</Link>
      </p>
    </section>
  );
}
