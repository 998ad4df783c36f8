/**
 * The audio parts of one DuetClient: the recording store and the upload manager, wired to the
 * client's sign-in, local changes and the browser's online signal. One runtime per client.
 */
import type { DuetClient } from '../client/types.ts';
import { browserOnline } from '../sync/platform.ts';
import { IdbRecordingStore } from './idb-recording-store.ts';
import { MemoryRecordingStore } from './memory-recording-store.ts';
import type { RecordingStore } from './recording-store.ts';
import { transcriptPresence } from './transcript-presence.ts';
import { tusTransport } from './tus-transport.ts';
import { UploadManager } from './upload-manager.ts';
import type { UploadTransport } from './upload-transport.ts';

export const UPLOADS_PATH = '/api/uploads';

export interface AudioRuntime {
  store: RecordingStore;
  uploads: UploadManager;
  /** Origin of the API ('' for the page's own). */
  baseUrl: string;
}

export interface AudioRuntimeOptions {
  baseUrl?: string;
  store?: RecordingStore;
  transport?: UploadTransport;
}

export function createAudioRuntime(client: DuetClient, options: AudioRuntimeOptions = {}): AudioRuntime {
  const baseUrl = options.baseUrl ?? '';
  const store = options.store ?? (typeof indexedDB === 'undefined' ? new MemoryRecordingStore() : new IdbRecordingStore());
  const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin;
  const uploads = new UploadManager({
    store,
    transport: options.transport ?? tusTransport(),
    endpoint: new URL(`${baseUrl}${UPLOADS_PATH}`, origin).href,
    online: browserOnline(),
    token: () => client.auth.current()?.token ?? null,
    presence: transcriptPresence((fn) => client.engine.read(fn)),
    onWorldChange(listener) {
      const detachAuth = client.auth.subscribe(listener);
      const detachChanges = client.onLocalChange((stores) => {
        if (stores.some((store) => store === 'transcripts' || store === 'outbox')) listener();
      });
      return () => {
        detachAuth();
        detachChanges();
      };
    },
  });
  return { store, uploads, baseUrl };
}

const runtimes = new WeakMap<DuetClient, AudioRuntime>();

/**
 * The runtime of `client`, created and started on first use and kept as long as the client: the
 * uploads go on while the person moves between screens.
 */
export function audioRuntimeFor(client: DuetClient): AudioRuntime {
  const existing = runtimes.get(client);
  if (existing) return existing;
  const runtime = createAudioRuntime(client);
  runtimes.set(client, runtime);
  void client.ready.then(() => runtime.uploads.start()).catch(() => undefined);
  return runtime;
}
