/// <reference lib="webworker" />
/**
 * The service worker: precaches the built app (so it starts offline), answers navigations with
 * index.html (deep links such as /conversations/<id>), and never caches the API.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import type { PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: Array<PrecacheEntry | string> };

/** Background Sync's event; not in TypeScript's webworker lib. */
interface SyncEvent extends ExtendableEvent {
  readonly tag: string;
  readonly lastChance: boolean;
}

const BACKGROUND_SYNC_TAG = 'duet-sync';

cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST);

// Every navigation gets the app shell; the API and metrics are left to the network, uncached.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/api(\/|$)/, /^\/metrics(\/|$)/],
  }),
);

// Only the page decides when a new version takes over (it asks after the person presses Reload).
self.addEventListener('message', (event: ExtendableMessageEvent) => {
  const data: unknown = event.data;
  if (typeof data === 'object' && data !== null && (data as { type?: unknown }).type === 'SKIP_WAITING') {
    void self.skipWaiting();
  }
});

// The first install takes control at once so the app works offline from the first visit.
clientsClaim();

/** Tells every open page to sync; the page's engine holds the outbox and the token. */
async function notifyClientsToSync(): Promise<void> {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  for (const client of windows) client.postMessage({ type: 'sync' });
}

self.addEventListener('sync', (event: Event) => {
  const syncEvent = event as SyncEvent;
  if (syncEvent.tag === BACKGROUND_SYNC_TAG) syncEvent.waitUntil(notifyClientsToSync());
});
