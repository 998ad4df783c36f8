/** The client with the browser's parts: IndexedDB for data and recordings, fetch, the page's signals. */
import { ApiClient } from '../api/client.ts';
import { IdbRecordingStore } from '../audio/idb-recording-store.ts';
import { BrowserStorage } from '../db/browser-storage.ts';
import { onServiceWorkerSync, requestBackgroundSync } from '../platform/background-sync.ts';
import { realtimeUrl } from '../sync/realtime-frames.ts';
import { assembleDuetClient } from './client.ts';
import { webStorageVisitStore } from './session-tracker.ts';
import type { StorageManagerLike } from './client.ts';
import type { DuetClient, DuetClientOptions } from './types.ts';

export function createDuetClient(options: DuetClientOptions = {}): DuetClient {
  const baseUrl = options.baseUrl ?? '';
  const api = new ApiClient({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const location = typeof window === 'undefined' ? undefined : window.location;
  const storageManager = typeof navigator === 'undefined' ? undefined : (navigator as { storage?: StorageManagerLike }).storage;
  return assembleDuetClient({
    storage: new BrowserStorage(options.dbName),
    api,
    realtime: { url: realtimeUrl(baseUrl, location) },
    audio: {
      ...(typeof indexedDB === 'undefined' ? {} : { store: new IdbRecordingStore() }),
      baseUrl,
      origin: location?.origin ?? 'http://localhost',
    },
    visits: webStorageVisitStore(typeof localStorage === 'undefined' ? undefined : localStorage),
    backgroundSync: requestBackgroundSync,
    onPlatformSync: onServiceWorkerSync,
    ...(storageManager ? { storageManager } : {}),
    ...(options.autoStart !== undefined ? { autoStart: options.autoStart } : {}),
  });
}
