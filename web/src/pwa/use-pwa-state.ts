import { useSyncExternalStore } from 'react';
import { pwaStore } from './pwa-store.ts';
import type { PwaState } from './pwa-store.ts';

/** The service worker's update state and whether the app can be installed. */
export function usePwaState(): PwaState {
  return useSyncExternalStore(pwaStore.subscribe, pwaStore.get, pwaStore.get);
}
