import { useEffect } from 'react';
import { useDuetClient } from '../data/index.ts';

const ASKED_KEY = 'duet.persistAsked';

/** Asks the browser for persistent storage once, on the first sign-in on this device. */
export function useFirstSignInPersistence(): void {
  const client = useDuetClient();
  useEffect(() => {
    try {
      if (localStorage.getItem(ASKED_KEY)) return;
      localStorage.setItem(ASKED_KEY, String(Date.now()));
    } catch {
      // Without localStorage we cannot remember; asking again is harmless.
    }
    void client.requestPersistentStorage().catch(() => false);
  }, [client]);
}
