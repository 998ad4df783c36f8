/** Applies the "share what I'm doing" choice of this device to the real-time client. */
import { useEffect } from 'react';
import { useDuetClient } from '../data/index.ts';
import { usePreferences } from './preferences.ts';

export function useActivitySharing(): void {
  const { realtime } = useDuetClient();
  const [{ shareActivity }] = usePreferences();
  useEffect(() => realtime.setActivitySharing(shareActivity), [realtime, shareActivity]);
}
