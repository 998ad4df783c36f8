/** The header's way to the search screen (signed-in screens only). */
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../data/index.ts';
import { Link } from '../../app/Link.tsx';

export function SearchLink() {
  const { t } = useTranslation();
  if (!useAuth()) return null;
  return (
    <Link href="/search" className="header-search">
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" strokeWidth="2.2">
        <circle cx="10.5" cy="10.5" r="6.5" />
        <path d="M15.5 15.5 21 21" strokeLinecap="round" />
      </svg>
      <span>{t('everyday.search.open')}</span>
    </Link>
  );
}
