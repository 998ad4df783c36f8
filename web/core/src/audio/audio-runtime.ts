/**
 * The audio parts of one DuetClient: the recording store and the upload manager, wired to the
 * client's sign-in, local changes and online signal. The client creates exactly one and owns it
 * (client.audio), so the uploads go on while the person moves between screens.
 */
import type { DuetAuth } from '../client/types.ts';
import type { SyncEngine } from '../sync/engine.ts';
import type { Signal, Timers } from '../sync/platform.ts';
import type { RecordingStore } from './recording-store.ts';
import { transcriptPresence } from './transcript-presence.ts';
import { UploadManager } from './upload-manager.ts';
import type { UploadTransport } from './upload-transport.ts';

export const UPLOADS_PATH = '/api/uploads';

export interface AudioRuntime {
  store: RecordingStore;
  uploads: UploadManager;
  /** Origin of the API ('' for the page's own). */
  baseUrl: string;
}

export interface AudioRuntimeDeps {
  store: RecordingStore;
  transport: UploadTransport;
  /** Origin of the API ('' for the page's own). */
  baseUrl: string;
  /** The page's origin, which a relative baseUrl is resolved against. */
  origin: string;
  online: Signal;
  timers: Timers;
  auth: Pick<DuetAuth, 'current' | 'subscribe'>;
  engine: Pick<SyncEngine, 'read' | 'onLocalChange'>;
}

export function createAudioRuntime(deps: AudioRuntimeDeps): AudioRuntime {
  const { store, auth, engine } = deps;
  const uploads = new UploadManager({
    store,
    transport: deps.transport,
    endpoint: new URL(`${deps.baseUrl}${UPLOADS_PATH}`, deps.origin).href,
    online: deps.online,
    timers: deps.timers,
    token: () => auth.current()?.token ?? null,
    presence: transcriptPresence((fn) => engine.read(fn)),
    onWorldChange(listener) {
      const detachAuth = auth.subscribe(listener);
      const detachChanges = engine.onLocalChange((stores) => {
        if (stores.some((store) => store === 'transcripts' || store === 'outbox')) listener();
      });
      return () => {
        detachAuth();
        detachChanges();
      };
    },
  });
  return { store, uploads, baseUrl: deps.baseUrl };
}
