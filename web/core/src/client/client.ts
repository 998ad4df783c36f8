/**
 * Assembles the client the UI talks to from its parts: storage, API, engine, auth, reads, live
 * queries, the session tracker, audio and the workflows. `assembleDuetClient` takes every platform
 * part (Node clients, tests); `createDuetClient` (browser-client.ts) passes the browser's.
 */
import { monotonicIds } from '@duet/shared';
import type { ApiClient } from '../api/client.ts';
import { ApiError, ClientErrorCode, DuetError } from '../api/errors.ts';
import { createAudioRuntime } from '../audio/audio-runtime.ts';
import { MemoryRecordingStore } from '../audio/memory-recording-store.ts';
import type { RecordingStore } from '../audio/recording-store.ts';
import { tusTransport } from '../audio/tus-transport.ts';
import type { UploadTransport } from '../audio/upload-transport.ts';
import { SyncEngine } from '../sync/engine.ts';
import type { SyncEngineOptions } from '../sync/engine.ts';
import { RealtimeClient } from '../sync/realtime.ts';
import type { RealtimeClientOptions } from '../sync/realtime.ts';
import { browserOnline, browserVisibility, systemClock, systemTimers } from '../sync/platform.ts';
import { storeKnownSpaces } from '../sync/spaces.ts';
import { STORE_NAMES } from '../sync/storage.ts';
import type { SyncStorage } from '../sync/storage.ts';
import { AuthController } from './auth.ts';
import { createLiveQuery } from './live-query.ts';
import { reconnectOnPartnerChange } from './partner-watch.ts';
import { createLocalReads } from './queries.ts';
import { createSessionTracker } from './session-tracker.ts';
import type { VisitStore } from './session-tracker.ts';
import { signOutOfDevice } from './sign-out.ts';
import { createTranscriptWorkflows } from './transcripts.ts';
import type { DuetClient, StorageEstimateView } from './types.ts';

export interface StorageManagerLike {
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  persist?: () => Promise<boolean>;
}

export interface DuetClientParts {
  storage: SyncStorage;
  api: ApiClient;
  /** Platform adapters and tuning for the engine; browser defaults where absent. */
  engine?: Omit<SyncEngineOptions, 'storage' | 'transport'>;
  autoStart?: boolean;
  /**
   * The real-time socket: its URL (none by default, so Node clients stay without one) and
   * adapters; platform adapters not given are the engine's.
   */
  realtime?: Partial<Omit<RealtimeClientOptions, 'engine'>>;
  /** Where recordings are kept (in memory by default) and how they upload (tus by default). */
  audio?: { store?: RecordingStore; transport?: UploadTransport; baseUrl?: string; origin?: string };
  /**
   * Asks the platform to wake the app for a sync when the connection returns (Background Sync in
   * the browser); called whenever the outbox grew while offline. None by default.
   */
  backgroundSync?: () => Promise<unknown>;
  /** Calls back when the platform wakes the app to sync (the service worker's relayed sync event); returns detach. */
  onPlatformSync?: (onSync: () => void) => () => void;
  /** Where the open visit is kept so a reload continues it (localStorage in the browser); memory by default. */
  visits?: VisitStore;
  /** The platform's storage manager (navigator.storage in the browser); none by default. */
  storageManager?: StorageManagerLike;
}

export function assembleDuetClient(parts: DuetClientParts): DuetClient {
  const engineOptions = parts.engine ?? {};
  const clock = engineOptions.clock ?? systemClock;
  const online = engineOptions.online ?? browserOnline();
  const visibility = engineOptions.visibility ?? browserVisibility();
  const random = engineOptions.random ?? Math.random;
  const timers = engineOptions.timers ?? systemTimers;
  const engine = new SyncEngine({ ...engineOptions, online, visibility, clock, storage: parts.storage, transport: parts.api });
  // Another person's recordings must not stay, nor upload under the new sign-in.
  const auth = new AuthController({ engine, api: parts.api, online, clock, onAccountSwitch: () => audio.uploads.clear() });
  const audio = createAudioRuntime({
    store: parts.audio?.store ?? new MemoryRecordingStore(),
    transport: parts.audio?.transport ?? tusTransport(),
    baseUrl: parts.audio?.baseUrl ?? '',
    origin: parts.audio?.origin ?? 'http://localhost',
    online,
    timers,
    auth,
    engine,
  });
  const realtime = new RealtimeClient({ url: null, clock, timers, online, visibility, random, ...parts.realtime, engine });
  // Connected exactly while someone is signed in: a new token reconnects, sign-out disconnects.
  let followAuth = false;
  const connectAsSignedIn = () => {
    const token = auth.current()?.token;
    if (!followAuth) return;
    if (token) realtime.start(token);
    else realtime.stop();
  };
  const detachAuth = auth.subscribe(connectAsSignedIn);
  const detachPlatformSync = parts.onPlatformSync?.(() => void engine.syncNow().catch(() => undefined)) ?? (() => undefined);
  const reads = createLocalReads((fn) => engine.read(fn));
  const detachPartnerWatch = reconnectOnPartnerChange({
    realtime,
    spaces: () => reads.spaces(),
    meId: () => auth.current()?.user.id ?? null,
    onLocalChange: (listener) => engine.onLocalChange(listener),
  });
  // Every write of the person (screens, workflows, the session tracker) goes through here, so a
  // change made offline always asks the platform to wake us when the connection returns.
  const mutate: DuetClient['mutate'] = async (name, args) => {
    await engine.mutate(name, args);
    if (!online.get()) void parts.backgroundSync?.().catch(() => undefined);
  };
  // Ids sort in creation order, also for two messages sent within one millisecond.
  const newId = monotonicIds(() => clock.now(), random);
  const sessionTracker = createSessionTracker({
    mutate,
    newId,
    clock,
    timers,
    visibility,
    userId: () => auth.current()?.user.id ?? null,
    ...(parts.visits ? { visits: parts.visits } : {}),
  });
  const transcripts = createTranscriptWorkflows({
    mutate,
    newId,
    uploads: audio.uploads,
    recordActivity: (kind) => sessionTracker.recordActivity(kind),
  });

  const ready = (async () => {
    await auth.load();
    await engine.refreshStatus();
    if (parts.autoStart ?? true) {
      engine.start();
      followAuth = true;
      connectAsSignedIn();
      void audio.uploads.start().catch(() => undefined);
    }
  })();

  const token = (): string => {
    const current = auth.current();
    if (!current) throw new DuetError(ClientErrorCode.signedOut);
    if (!online.get()) throw new ApiError({ code: ClientErrorCode.offline, status: 0 });
    return current.token;
  };

  return {
    ready,
    auth,
    engine,
    realtime,
    sessionTracker,
    audio,
    transcripts,
    read: reads,
    live: (query) => createLiveQuery({ read: (fn) => engine.read(fn), onLocalChange: (listener) => engine.onLocalChange(listener) }, query),
    mutate,
    newId,
    signOut: (options = {}) => signOutOfDevice({ engine, auth, sessionTracker, uploads: audio.uploads }, options),
    async deleteAccount(password) {
      await parts.api.deleteAccount(token(), { password });
      // The server has forgotten the person: this device forgets them too, waiting changes and all.
      await signOutOfDevice({ engine, auth, sessionTracker, uploads: audio.uploads }, { force: true });
    },

    async storageEstimate(): Promise<StorageEstimateView | null> {
      const estimate = await parts.storageManager?.estimate?.().catch(() => undefined);
      return estimate ? { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null;
    },

    async requestPersistentStorage() {
      return (await parts.storageManager?.persist?.().catch(() => false)) ?? false;
    },

    // A synced mutation, so every device of the person stops showing it.
    dismissConflict: (id) => mutate('conflict.resolve', { id, resolution: 'dismissed' }),
    resolveConflict: (id, resolution) => mutate('conflict.resolve', { id, resolution }),

    dismissRejected: (id) => engine.dismissRejected(id),
    discardUnsendable: () => engine.discardUnsendable(),

    account: {
      requestPasswordReset: (email) => parts.api.requestPasswordReset(email),
      resetPassword: (resetToken, password) => parts.api.resetPassword(resetToken, password),
      changePassword: async (currentPassword, newPassword) => parts.api.changePassword(token(), currentPassword, newPassword),
    },

    dataTransfer: {
      download: async (onProgress) => parts.api.exportData(token(), onProgress),
      async import(file, onProgress) {
        const imported = await parts.api.importData(token(), file, onProgress);
        // The server poked this device too; syncing now brings the data without waiting for it.
        void engine.syncNow().catch(() => undefined);
        return imported;
      },
    },

    billing: {
      overview: async () => parts.api.billing(token()),
      checkoutUrl: async () => parts.api.billingCheckout(token()),
      portalUrl: async () => parts.api.billingPortal(token()),
    },

    invites: {
      create: async () => parts.api.createInvite(token()),
      sendByEmail: async (email) => parts.api.inviteByEmail(token(), email),
      async accept(code) {
        const space = await parts.api.acceptInvite(token(), code);
        await engine.write(STORE_NAMES, (tx) => storeKnownSpaces(tx, [space], clock.now()));
        void engine.syncNow().catch(() => undefined);
        return space;
      },
      async unlink() {
        await parts.api.unlinkPartner(token());
        // The next pull says the space is gone and drops it with everything in it.
        await engine.syncNow();
      },
    },

    stats: async () => parts.api.stats(token()),
    onLocalChange: (listener) => engine.onLocalChange(listener),

    close() {
      followAuth = false;
      detachAuth();
      detachPlatformSync();
      detachPartnerWatch();
      realtime.stop();
      void audio.uploads.stop();
      engine.close();
      parts.storage.close();
    },
  };
}
