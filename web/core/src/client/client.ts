/**
 * Builds the client the UI talks to: storage, API, engine, auth, reads and the session tracker.
 * `createDuetClient` wires the browser; `assembleDuetClient` takes every part, for Node clients
 * (benchmarks, integration tests) and for tests with in-memory storage.
 */
import { monotonicIds } from '@duet/shared';
import { ApiClient } from '../api/client.ts';
import { ApiError, ClientErrorCode, DuetError } from '../api/errors.ts';
import { BrowserStorage } from '../db/browser-storage.ts';
import { SyncEngine } from '../sync/engine.ts';
import type { SyncEngineOptions } from '../sync/engine.ts';
import { getMeta, setMeta } from '../sync/meta.ts';
import { RealtimeClient } from '../sync/realtime.ts';
import type { RealtimeClientOptions } from '../sync/realtime.ts';
import { realtimeUrl } from '../sync/realtime-frames.ts';
import { browserOnline, browserVisibility, systemClock, systemTimers } from '../sync/platform.ts';
import { storeKnownSpaces } from '../sync/spaces.ts';
import { STORE_NAMES } from '../sync/storage.ts';
import type { SyncStorage } from '../sync/storage.ts';
import { AuthController } from './auth.ts';
import { reconnectOnPartnerChange } from './partner-watch.ts';
import { createLocalReads } from './queries.ts';
import { createSessionTracker } from './session-tracker.ts';
import type { DuetClient, DuetClientOptions, StorageEstimateView } from './types.ts';

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
}

interface StorageManagerLike {
  estimate?: () => Promise<{ usage?: number; quota?: number }>;
  persist?: () => Promise<boolean>;
}

function storageManager(): StorageManagerLike | undefined {
  return typeof navigator === 'undefined' ? undefined : (navigator as { storage?: StorageManagerLike }).storage;
}

export function createDuetClient(options: DuetClientOptions = {}): DuetClient {
  const api = new ApiClient({
    ...(options.baseUrl !== undefined ? { baseUrl: options.baseUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const storage = new BrowserStorage(options.dbName);
  const location = typeof window === 'undefined' ? undefined : window.location;
  return assembleDuetClient({
    storage,
    api,
    realtime: { url: realtimeUrl(options.baseUrl ?? '', location) },
    ...(options.autoStart !== undefined ? { autoStart: options.autoStart } : {}),
  });
}

export function assembleDuetClient(parts: DuetClientParts): DuetClient {
  const engineOptions = parts.engine ?? {};
  const clock = engineOptions.clock ?? systemClock;
  const online = engineOptions.online ?? browserOnline();
  const visibility = engineOptions.visibility ?? browserVisibility();
  const random = engineOptions.random ?? Math.random;
  const engine = new SyncEngine({ ...engineOptions, online, visibility, clock, storage: parts.storage, transport: parts.api });
  const auth = new AuthController({ engine, api: parts.api, online, clock });
  const timers = engineOptions.timers ?? systemTimers;
  const realtime = new RealtimeClient({
    url: null,
    clock,
    timers,
    online,
    visibility,
    random,
    ...parts.realtime,
    engine,
  });
  // Connected exactly while someone is signed in: a new token reconnects, sign-out disconnects.
  let followAuth = false;
  const connectAsSignedIn = () => {
    const token = auth.current()?.token;
    if (!followAuth) return;
    if (token) realtime.start(token);
    else realtime.stop();
  };
  const detachAuth = auth.subscribe(connectAsSignedIn);
  const reads = createLocalReads((fn) => engine.read(fn));
  const detachPartnerWatch = reconnectOnPartnerChange({
    realtime,
    spaces: () => reads.spaces(),
    meId: () => auth.current()?.user.id ?? null,
    onLocalChange: (listener) => engine.onLocalChange(listener),
  });
  const mutate: DuetClient['mutate'] = (name, args) => engine.mutate(name, args);
  // Ids sort in creation order, also for two messages sent within one millisecond.
  const newId = monotonicIds(() => clock.now(), random);
  const sessionTracker = createSessionTracker({
    mutate,
    newId,
    clock,
    timers,
    visibility,
  });

  const ready = (async () => {
    await auth.load();
    await engine.refreshStatus();
    if (parts.autoStart ?? true) {
      engine.start();
      followAuth = true;
      connectAsSignedIn();
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
    read: reads,
    mutate,
    newId,

    async signOut(options = {}) {
      const pending = await engine.read(async (tx) => (await tx.getAll('outbox')).filter((e) => !e.name.startsWith('session.')).length);
      if (pending > 0 && !options.force) return { pending };
      await sessionTracker.end();
      await auth.logout();
      await engine.clearAll();
      await auth.load();
      return { pending: 0 };
    },

    async storageEstimate(): Promise<StorageEstimateView | null> {
      const estimate = await storageManager()?.estimate?.().catch(() => undefined);
      return estimate ? { usage: estimate.usage ?? 0, quota: estimate.quota ?? 0 } : null;
    },

    async requestPersistentStorage() {
      return (await storageManager()?.persist?.().catch(() => false)) ?? false;
    },

    dismissConflict: (id) =>
      engine.write(['meta', 'conflicts'], async (tx) => {
        const dismissed = await getMeta(tx, 'dismissedConflicts');
        if (!dismissed.includes(id)) await setMeta(tx, 'dismissedConflicts', [...dismissed, id]);
      }),

    dismissRejected: (id) => engine.dismissRejected(id),
    discardUnsendable: () => engine.discardUnsendable(),

    invites: {
      create: async () => parts.api.createInvite(token()),
      async accept(code) {
        const space = await parts.api.acceptInvite(token(), code);
        await engine.write(STORE_NAMES, (tx) => storeKnownSpaces(tx, [space], clock.now()));
        void engine.syncNow().catch(() => undefined);
        return space;
      },
    },

    stats: async () => parts.api.stats(token()),
    onLocalChange: (listener) => engine.onLocalChange(listener),

    close() {
      followAuth = false;
      detachAuth();
      detachPartnerWatch();
      realtime.stop();
      engine.close();
      parts.storage.close();
    },
  };
}
