/**
 * Registers the service worker with workbox-window. A new version never takes over silently:
 * it waits until the person presses Reload (see `applyUpdate`).
 */
import { Workbox } from 'workbox-window';
import { pwaStore } from './pwa-store.ts';

let workbox: Workbox | null = null;

export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return;
  workbox = new Workbox('/sw.js', { scope: '/' });
  workbox.addEventListener('waiting', () => pwaStore.set({ updateReady: true }));
  void workbox.register().catch(() => {
    // Registration fails on insecure origins or in private modes; the app still works online.
  });
  // Check for a new version when the app comes back to the foreground.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void workbox?.update().catch(() => {});
  });
}

/** Activates the waiting service worker, then reloads once it controls the page. */
export function applyUpdate(): void {
  const wb = workbox;
  if (!wb) {
    window.location.reload();
    return;
  }
  wb.addEventListener('controlling', () => window.location.reload());
  wb.messageSkipWaiting();
}
