/** The app's providers and its gate: loading, then sign-in screens or the signed-in shell. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { DuetProvider, useAuth, useDuetClient } from '../data/index.ts';
import type { DuetClient } from '../data/index.ts';
import { AuthScreen } from '../features/auth/AuthScreen.tsx';
import { ForgotPasswordScreen } from '../features/auth/ForgotPasswordScreen.tsx';
import { ResetPasswordScreen } from '../features/auth/ResetPasswordScreen.tsx';
import { AppShell } from './AppShell.tsx';
import { LoadingScreen } from './LoadingScreen.tsx';
import { useRoute } from './router.ts';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: { networkMode: 'offlineFirst', retry: 1, staleTime: 30_000 },
    mutations: { networkMode: 'offlineFirst' },
  },
});

export function App({ client }: { client: DuetClient }) {
  return (
    <DuetProvider client={client}>
      <QueryClientProvider client={queryClient}>
        <AppGate />
      </QueryClientProvider>
    </DuetProvider>
  );
}

function AppGate() {
  const client = useDuetClient();
  const [ready, setReady] = useState(false);
  const auth = useAuth();
  const route = useRoute();

  useEffect(() => {
    let live = true;
    void client.ready.finally(() => {
      if (live) setReady(true);
    });
    return () => {
      live = false;
    };
  }, [client]);

  if (!ready) return <LoadingScreen />;
  // Reached from an email, signed in or not.
  if (route.name === 'forgotPassword') return <ForgotPasswordScreen />;
  if (route.name === 'resetPassword') return <ResetPasswordScreen token={route.token} />;
  if (!auth) return <AuthScreen mode={route.name === 'signup' ? 'signup' : 'login'} />;
  return <AppShell route={route} />;
}
