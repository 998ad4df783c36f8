/** The signed-in layout: header, status line, notices, the current screen and the tab bar. */
import { Suspense, useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ConversationsScreen } from '../features/conversations/ConversationsScreen.tsx';
import { ConflictsNotice } from './ConflictsNotice.tsx';
import { lazyScreen } from './lazy-screen.tsx';
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
// them precached, so offline too): the first load carries less JavaScript. The conversation
// screen, the one opened most, and then the others are loaded ahead once the app is idle.
const ConversationScreen = lazyScreen(() => import('../features/conversations/ConversationScreen.tsx').then((m) => m.ConversationScreen));
const TranscriptsScreen = lazyScreen(() => import('../features/transcripts/TranscriptsScreen.tsx').then((m) => m.TranscriptsScreen));
const SessionsScreen = lazyScreen(() => import('../features/sessions/SessionsScreen.tsx').then((m) => m.SessionsScreen));
const PartnerScreen = lazyScreen(() => import('../features/partner/PartnerScreen.tsx').then((m) => m.PartnerScreen));
const SearchScreen = lazyScreen(() => import('../features/search/SearchScreen.tsx').then((m) => m.SearchScreen));
const SettingsScreen = lazyScreen(() => import('../features/settings/SettingsScreen.tsx').then((m) => m.SettingsScreen));

/** Loads the screens' code when the browser has nothing else to do: the conversation screen first. */
function usePreloadScreens(): void {
  useEffect(() => {
    const preload = () =>
      void (async () => {
        for (const screen of [ConversationScreen, SearchScreen, TranscriptsScreen, SessionsScreen, PartnerScreen, SettingsScreen]) {
          await screen.preload();
        }
      })().catch(() => undefined);
    if (typeof requestIdleCallback === 'function') {
      const handle = requestIdleCallback(preload, { timeout: 5000 });
      return () => cancelIdleCallback(handle);
    }
    const timer = setTimeout(preload, 1000);
    return () => clearTimeout(timer);
  }, []);
}

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
  usePreloadScreens();

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
