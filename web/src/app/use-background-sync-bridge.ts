import { useEffect } from 'react';
import { useDuetClient } from '../data/index.ts';
import { onServiceWorkerSync } from '@duet/client';

/** When the service worker relays a Background Sync event, the page's engine syncs. */
export function useBackgroundSyncBridge(): void {
  const client = useDuetClient();
  useEffect(() => onServiceWorkerSync(() => void client.engine.syncNow()), [client]);
}
