/** The signed-in layout: header, status line, notices, the current screen and the tab bar. */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ConversationScreen } from '../features/conversations/ConversationScreen.tsx';
import { ConversationsScreen } from '../features/conversations/ConversationsScreen.tsx';
import { PartnerScreen } from '../features/partner/PartnerScreen.tsx';
import { SessionsScreen } from '../features/sessions/SessionsScreen.tsx';
import { SettingsScreen } from '../features/settings/SettingsScreen.tsx';
import { TranscriptsScreen } from '../features/transcripts/TranscriptsScreen.tsx';
import { ConflictsNotice } from './ConflictsNotice.tsx';
import { InstallButton } from './InstallButton.tsx';
import { NavBar } from './NavBar.tsx';
import { NotFoundScreen } from './NotFoundScreen.tsx';
import { RejectedNotice } from './RejectedNotice.tsx';
import { StatusLine } from './StatusLine.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';
import { navigate } from './router.ts';
import type { Route } from './routes.ts';
import { useSessionTracking } from './use-session-tracking.ts';
import { useFirstSignInPersistence } from './use-first-sign-in-persistence.ts';
import { audioRuntimeFor } from '../audio/audio-runtime.ts';
import { useDuetClient } from '../data/index.ts';

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
      return <PartnerScreen />;
    case 'settings':
      return <SettingsScreen />;
    case 'login':
    case 'signup':
      return null;
    case 'notFound':
      return <NotFoundScreen />;
  }
}

export function AppShell({ route }: { route: Route }) {
  const { t } = useTranslation();
  useSessionTracking(route);
  useFirstSignInPersistence();
  const client = useDuetClient();
  // Recordings waiting from an earlier visit upload whichever screen the app opens on.
  useEffect(() => {
    audioRuntimeFor(client);
  }, [client]);

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
        <InstallButton />
      </header>
      <StatusLine />
      <div className="notices">
        <UpdatePrompt />
        <RejectedNotice />
        <ConflictsNotice />
      </div>
      <main id="main" className={`app-main app-main--${route.name}`} tabIndex={-1}>
        <Screen route={route} />
      </main>
      <NavBar route={route} />
    </div>
  );
}
