/** The signed-in layout: header, status line, notices, the current screen and the tab bar. */
import { lazy, Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ConversationsScreen } from '../features/conversations/ConversationsScreen.tsx';
import { ConflictsNotice } from './ConflictsNotice.tsx';
import { LoadingScreen } from './LoadingScreen.tsx';
import { InstallButton } from './InstallButton.tsx';
import { NavBar } from './NavBar.tsx';
import { NotFoundScreen } from './NotFoundScreen.tsx';
import { RejectedNotice } from './RejectedNotice.tsx';
import { UnsendableNotice } from './UnsendableNotice.tsx';
import { StatusLine } from './StatusLine.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';
import { navigate } from './router.ts';
import { SearchLink } from '../features/search/SearchLink.tsx';
import type { Route } from './routes.ts';
import { useSessionTracking } from './use-session-tracking.ts';
import { useFirstSignInPersistence } from './use-first-sign-in-persistence.ts';
import { useActivitySharing } from './use-activity-sharing.ts';
import { useSystemNotifications } from './use-system-notifications.ts';
import { NotificationsMenu } from '../features/notifications/NotificationsMenu.tsx';

// Screens other than the conversation list are loaded when first opened (the service worker has
// them precached, so offline too): the first load carries less JavaScript.
const ConversationScreen = lazy(() =>
  import('../features/conversations/ConversationScreen.tsx').then((m) => ({ default: m.ConversationScreen })),
);
const TranscriptsScreen = lazy(() =>
  import('../features/transcripts/TranscriptsScreen.tsx').then((m) => ({ default: m.TranscriptsScreen })),
);
const SessionsScreen = lazy(() => import('../features/sessions/SessionsScreen.tsx').then((m) => ({ default: m.SessionsScreen })));
const PartnerScreen = lazy(() => import('../features/partner/PartnerScreen.tsx').then((m) => ({ default: m.PartnerScreen })));
const SearchScreen = lazy(() => import('../features/search/SearchScreen.tsx').then((m) => ({ default: m.SearchScreen })));
const SettingsScreen = lazy(() => import('../features/settings/SettingsScreen.tsx').then((m) => ({ default: m.SettingsScreen })));

function Screen({ route }: { route: Route }) {
  switch (route.name) {
    case 'conversations':
      return <ConversationsScreen archived={route.archived} />;
    case 'conversation':
      return <ConversationScreen id={route.id} />;
    case 'transcripts':
      return <TranscriptsScreen />;
    case 'sessions':
      return <SessionsScreen />;
    case 'partner':
      return <PartnerScreen code={route.code} />;
    case 'settings':
      return <SettingsScreen />;
    case 'search':
      return <SearchScreen />;
    case 'login':
    case 'signup':
    case 'forgotPassword':
    case 'resetPassword':
      return null;
    case 'notFound':
      return <NotFoundScreen />;
  }
}

export function AppShell({ route }: { route: Route }) {
  const { t } = useTranslation();
  useSessionTracking(route);
  useFirstSignInPersistence();
  useActivitySharing();
  useSystemNotifications();

  useEffect(() => {
    if (route.name === 'login' || route.name === 'signup') navigate('/', { replace: true });
  }, [route.name]);

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="app-header">
        <span className="brand">{t('app.name')}</span>
        <SearchLink />
        <InstallButton />
        <NotificationsMenu />
      </header>
      <StatusLine />
      <div className="notices">
        <UpdatePrompt />
        <RejectedNotice />
        <UnsendableNotice />
        <ConflictsNotice />
      </div>
      <main id="main" className={`app-main app-main--${route.name}`} tabIndex={-1}>
        <Suspense fallback={<LoadingScreen />}>
          <Screen route={route} />
        </Suspense>
      </main>
      <NavBar route={route} />
    </div>
  );
}
