/**
 * Background Sync: where the browser has SyncManager, a change made offline registers the
 * 'duet-sync' tag; when connectivity returns the service worker asks open pages to sync.
 */
export const BACKGROUND_SYNC_TAG = 'duet-sync';

interface SyncCapableRegistration extends ServiceWorkerRegistration {
  readonly sync: { register(tag: string): Promise<void> };
}

function hasSync(registration: ServiceWorkerRegistration): registration is SyncCapableRegistration {
  return 'sync' in registration;
}

/** Registers the sync tag; a no-op without a service worker or SyncManager. Never throws. */
export async function requestBackgroundSync(): Promise<boolean> {
  if (!('serviceWorker' in navigator) || !('SyncManager' in window)) return false;
  try {
    const registration = await navigator.serviceWorker.getRegistration();
    if (!registration || !hasSync(registration)) return false;
    await registration.sync.register(BACKGROUND_SYNC_TAG);
    return true;
  } catch {
    return false;
  }
}

/** Calls `onSync` whenever the service worker posts {type: 'sync'}; returns an unsubscribe function. */
export function onServiceWorkerSync(onSync: () => void): () => void {
  if (!('serviceWorker' in navigator)) return () => {};
  const listener = (event: MessageEvent<unknown>) => {
    const data = event.data;
    if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'sync') onSync();
  };
  navigator.serviceWorker.addEventListener('message', listener);
  return () => navigator.serviceWorker.removeEventListener('message', listener);
}
