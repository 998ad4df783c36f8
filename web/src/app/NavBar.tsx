import { useTranslation } from 'react-i18next';
import { Link } from './Link.tsx';
import type { Route } from './routes.ts';

const TABS = [
  { key: 'conversations', href: '/conversations', matches: ['conversations', 'conversation'] },
  { key: 'transcripts', href: '/transcripts', matches: ['transcripts'] },
  { key: 'sessions', href: '/sessions', matches: ['sessions'] },
  { key: 'settings', href: '/settings', matches: ['settings', 'partner'] },
] as const;

/** The tab bar at the bottom: the four main screens. */
export function NavBar({ route }: { route: Route }) {
  const { t } = useTranslation();
  return (
    <nav className="nav-bar" aria-label={t('nav.label')}>
      <ul>
        {TABS.map((tab) => {
          const current = (tab.matches as readonly string[]).includes(route.name);
          return (
            <li key={tab.key}>
              <Link href={tab.href} aria-current={current ? 'page' : undefined} className="nav-link">
                <span className={`nav-icon nav-icon--${tab.key}`} aria-hidden="true" />
                <span>{t(`nav.${tab.key}`)}</span>
              </Link>
            </li>
          );
        })}
      </ul>
    </nav>
  );
}
