/**
 * The sync engine: framework-free, written against SyncStorage and injected platform adapters so
 * the same code runs in the browser (IndexedDB, navigator.locks, BroadcastChannel) and in Node.
 *
 * A cycle pushes the outbox, then pulls until caught up (push.ts, pull.ts, rebase.ts). Triggers:
 * start, the online event, becoming visible, a periodic timer, syncNow(), poke(). Triggers during
 * a cycle coalesce into one more cycle. Failures back off exponentially with jitter (at least the
 * server's Retry-After on 429 and 503); a 401 stops syncing until the user signs in again. A change
 * the server fails on (500) again and again is offered to the person to copy and discard. One cycle at a time across tabs (SyncLock); each write
 * is announced to this tab's listeners and to other tabs (ChangeBus), which re-read.
 */
import type { MutationArgs, MutationName } from '@duet/shared';
import { ClientErrorCode, DuetError, isQuotaExceeded } from '../api/errors.ts';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { BackoffPolicy } from './backoff.ts';
import { getMeta, setMeta } from './meta.ts';
import { appendMutation, ensureClientId } from './outbox.ts';
import { browserBus, browserLock, browserOnline, browserVisibility, systemClock, systemTimers } from './platform.ts';
import type { ChangeBus, Clock, Signal, SyncLock, TimerHandle, Timers } from './platform.ts';
import { pullUntilCaughtUp } from './pull.ts';
import { pushOutbox, PushFailed } from './push.ts';
import { LOCAL_VIEW_STORES } from './rebase.ts';
import { SyncStatusStore } from './status.ts';
import type { SyncStatus, SyncStatusListener } from './status.ts';
import { LOCAL_STORE, parseEntityKey, STORE_NAMES } from './storage.ts';
import type { StorageTx, SyncStorage } from './storage.ts';
import { classifySyncFailure } from './sync-error.ts';
import type { SyncTransport } from './transport.ts';
import { discardEntries, readUnsendable } from './unsendable.ts';

export interface SyncEngineOptions {
  storage: SyncStorage;
  transport: SyncTransport;
  clock?: Clock;
  timers?: Timers;
  online?: Signal;
  visibility?: Signal;
  lock?: SyncLock;
  bus?: ChangeBus;
  /** Jitter source, Math.random by default. */
  random?: () => number;
  backoff?: BackoffPolicy;
  /** Pause between syncs while all is well and the app is visible (default 60 s). */
  periodicMs?: number;
  pullLimit?: number;
  pushBatchSize?: number;
  /** After how many 500s on the same changes the person is told they cannot be sent (default 3). */
  unsendableAfter?: number;
}

/**
 * Changes waiting that the person made: session bookkeeping (visits, activities) is left out. Only
 * a short outbox is read whole for that; a long one is counted, as the few session entries in it
 * do not change what the person is told, and reading it at each change would cost O(outbox).
 */
async function personChanges(tx: StorageTx): Promise<number> {
  const total = await tx.count('outbox');
  if (total > 200) return total;
  return (await tx.getAll('outbox')).filter((entry) => !entry.name.startsWith('session.')).length;
}

export type LocalChangeListener = (stores: readonly string[]) => void;

const ALL_STORES: readonly string[] = STORE_NAMES;
const PULL_STORES: readonly string[] = [...LOCAL_VIEW_STORES, 'outbox', 'meta'];

export class SyncEngine {
  readonly #storage: SyncStorage;
  readonly #transport: SyncTransport;
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #online: Signal;
  readonly #visibility: Signal;
  readonly #lock: SyncLock;
  readonly #bus: ChangeBus;
  readonly #random: () => number;
  readonly #backoff: BackoffPolicy;
  readonly #periodicMs: number;
  readonly #pullLimit: number | undefined;
  readonly #pushBatchSize: number | undefined;
  readonly #unsendableAfter: number;
  readonly #status: SyncStatusStore;
  readonly #changeListeners = new Set<LocalChangeListener>();
  /** Listeners for the engine's whole life (bus, upgrade) and for while it is started (triggers). */
  readonly #lifetime: Array<() => void> = [];
  readonly #triggers: Array<() => void> = [];
  #started = false;
  #running: Promise<void> | null = null;
  #again = false;
  /** One of the coalesced requests cut the backoff short (online, start, syncNow). */
  #againNow = false;
  #timer: TimerHandle | null = null;
  #failures = 0;
  #notBefore = 0;
  /** The changes the last 500 was on, and how many 500s in a row they have met. */
  #failedPush: { ids: string; count: number } | null = null;
  /** The server refused our protocol version (426): no cycle runs again in this app version. */
  #protocolRefused = false;

  constructor(options: SyncEngineOptions) {
    this.#storage = options.storage;
    this.#transport = options.transport;
    this.#clock = options.clock ?? systemClock;
    this.#timers = options.timers ?? systemTimers;
    this.#online = options.online ?? browserOnline();
    this.#visibility = options.visibility ?? browserVisibility();
    this.#lock = options.lock ?? browserLock();
    this.#bus = options.bus ?? browserBus();
    this.#random = options.random ?? Math.random;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#periodicMs = options.periodicMs ?? 60_000;
    this.#pullLimit = options.pullLimit;
    this.#pushBatchSize = options.pushBatchSize;
    this.#unsendableAfter = options.unsendableAfter ?? 3;
    this.#status = new SyncStatusStore({ storage: this.#storage.kind, online: this.#online.get() });
    this.#lifetime.push(
      this.#bus.subscribe((stores) => void this.#notify(stores, false)),
      this.#storage.onUpgradeBlocked(() => {
        this.#status.update({ upgradeBlocked: true });
        this.stop();
      }),
    );
  }

  /** Begins syncing: now, and on every trigger until stop(). */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#triggers.push(
      this.#online.subscribe((online) => {
        this.#status.update({ online });
        if (online) void this.#request(true);
        else this.#clearTimer();
      }),
      this.#visibility.subscribe((visible) => {
        if (visible) void this.#request(false);
      }),
    );
    void this.#request(true);
  }

  /** Stops triggers and timers; a cycle already running finishes. */
  stop(): void {
    this.#started = false;
    this.#clearTimer();
    for (const detach of this.#triggers.splice(0)) detach();
  }

  close(): void {
    this.stop();
    for (const detach of this.#lifetime.splice(0)) detach();
    this.#bus.close();
  }

  /** Runs a sync cycle now (or right after the running one) and resolves when it is done. */
  syncNow(): Promise<void> {
    return this.#request(true);
  }

  /** The server has news (a WebSocket poke): sync unless the server asked us to wait. */
  poke(): void {
    if (this.#clock.now() < this.#notBefore) return;
    void this.#request(false);
  }

  getStatus(): SyncStatus {
    return this.#status.get();
  }

  subscribe(listener: SyncStatusListener): () => void {
    return this.#status.subscribe(listener);
  }

  /** Local data changed, in this tab or another; `stores` names the stores (`meta:<key>` for one meta key). */
  onLocalChange(listener: LocalChangeListener): () => void {
    this.#changeListeners.add(listener);
    return () => this.#changeListeners.delete(listener);
  }

  /**
   * Applies a mutation locally and appends it to the outbox in one transaction, then asks for a
   * sync without waiting for it. Throws DuetError (see DuetClient.mutate).
   */
  async mutate<N extends MutationName>(name: N, args: MutationArgs<N>): Promise<void> {
    let touched: string[];
    try {
      const entry = await this.#storage.write((tx) => appendMutation(tx, { name, args, now: this.#clock.now(), random: this.#random }));
      touched = entry.touched;
    } catch (error) {
      if (!isQuotaExceeded(error)) throw error;
      this.#status.update({ error: 'quota_exceeded' });
      throw new DuetError(ClientErrorCode.quotaExceeded, undefined, { cause: error });
    }
    const stores = new Set<string>(['outbox', 'meta']);
    for (const key of touched) {
      const parsed = parseEntityKey(key);
      if (parsed) stores.add(LOCAL_STORE[parsed.kind]);
    }
    // The push starts before the screens re-read what changed, so a partner sees it sooner. While
    // a retry wait runs (the server failed), the scheduled retry takes the change: trying at every
    // keystroke would lengthen the wait each time and leave the device idle long after it is back.
    if (this.#started && !this.#waitingToRetry()) void this.#request(false);
    await this.#notify([...stores], true);
    if (this.#status.get().error === 'quota_exceeded') this.#status.update({ error: null });
  }

  /** Runs a read-only transaction on the local store. */
  read<T>(fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    return this.#storage.read(fn);
  }

  /** Runs a write transaction, then tells every tab that `stores` changed. */
  async write<T>(stores: readonly string[], fn: (tx: StorageTx) => Promise<T>): Promise<T> {
    const result = await this.#storage.write(fn);
    await this.#notify(stores, true);
    return result;
  }

  /** Removes rejected-mutation notices: one by id, or all. */
  dismissRejected(id?: number): Promise<void> {
    return this.write(['meta'], async (tx) => {
      const kept = id === undefined ? [] : (await getMeta(tx, 'rejected')).filter((r) => r.id !== id);
      await setMeta(tx, 'rejected', kept);
    });
  }

  /**
   * Removes the changes the server cannot take (status `unsendable`) from the outbox and shows
   * local data without them; then syncs, so the changes after them go out.
   */
  async discardUnsendable(): Promise<void> {
    const ids = this.#status.get().unsendable.map((c) => c.id);
    if (ids.length === 0) return;
    await this.write(PULL_STORES, (tx) => discardEntries(tx, ids, this.#clock.now()));
    this.#failedPush = null;
    this.#status.update({ unsendable: [] });
    await this.#request(true);
  }

  /** Empties every store (sign-out); the next user starts with a new client id. */
  clearAll(): Promise<void> {
    return this.write(ALL_STORES, async (tx) => {
      for (const store of STORE_NAMES) await tx.clear(store);
    });
  }

  /** Re-reads what the status shows from storage (pending count, rejected, sign-in). */
  async refreshStatus(): Promise<void> {
    const snapshot = await this.#storage.read(async (tx) => ({
      pending: await personChanges(tx),
      rejected: await getMeta(tx, 'rejected'),
      signedIn: (await getMeta(tx, 'auth')) !== null,
      lastSyncAt: await getMeta(tx, 'lastSyncAt'),
    }));
    this.#status.update({ ...snapshot, storage: this.#storage.kind });
  }

  /** Tells listeners (and, for our own writes, other tabs); resolves once the status is re-read. */
  #notify(stores: readonly string[], local: boolean): Promise<void> {
    if (local) this.#bus.post(stores);
    for (const listener of [...this.#changeListeners]) listener(stores);
    if (!stores.some((store) => store === 'outbox' || store === 'meta' || store.startsWith('meta:'))) return Promise.resolve();
    return this.refreshStatus().catch(() => undefined);
  }

  /** Asks for a cycle; `resetBackoff` (online, start, syncNow) cuts a pending retry wait short. */
  #request(resetBackoff: boolean): Promise<void> {
    if (resetBackoff) this.#failures = 0;
    if (this.#running) {
      this.#again = true;
      if (resetBackoff) this.#againNow = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      this.#againNow = false;
      await this.#cycle();
      // After a failure the scheduled retry takes the coalesced requests, unless one asked for now.
    } while (this.#again && (this.#failures === 0 || this.#againNow) && !this.#status.get().upgradeBlocked);
  }

  async #cycle(): Promise<void> {
    this.#clearTimer();
    if (this.#status.get().upgradeBlocked || this.#protocolRefused) return;
    const online = this.#online.get();
    this.#status.update({ online });
    const state = await this.#storage.write(async (tx) => ({
      auth: await getMeta(tx, 'auth'),
      clientId: await ensureClientId(tx, this.#clock.now(), this.#random),
    }));
    if (!state.auth) {
      this.#status.update({ signedIn: false, syncing: false });
      return;
    }
    if (!online) return;
    const { token } = state.auth;
    const { clientId } = state;
    this.#status.update({ signedIn: true, syncing: true });
    try {
      await this.#lock.run(async () => {
        const now = () => this.#clock.now();
        const base = { storage: this.#storage, transport: this.#transport, token, clientId, now };
        const pushed = await pushOutbox({ ...base, ...(this.#pushBatchSize ? { batchSize: this.#pushBatchSize } : {}) });
        if (pushed.rejected.length > 0) await this.#notify(PULL_STORES, true);
        await pullUntilCaughtUp({
          ...base,
          ...(this.#pullLimit ? { limit: this.#pullLimit } : {}),
          onPage: ({ progress, done, stores }) => {
            // Progress is for syncs that span pages; a one-page pull shows none.
            this.#status.update({ progress: done ? null : progress });
            void this.#notify(stores, true);
          },
        });
      });
      this.#failures = 0;
      this.#failedPush = null;
      // The page notifications re-read the status without being awaited; a finished cycle must
      // report the outbox as it is now.
      await this.refreshStatus().catch(() => undefined);
      this.#status.update({
        syncing: false,
        progress: null,
        error: null,
        nextRetryAt: null,
        lastSyncAt: this.#clock.now(),
        unsendable: [],
      });
      if (this.#started && this.#visibility.get()) this.#schedule(this.#periodicMs);
    } catch (error) {
      await this.#fail(error);
    }
  }

  async #fail(error: unknown): Promise<void> {
    const failure = classifySyncFailure(error);
    if (failure.code === 'unsupported_protocol') {
      // Nothing this version sends will be taken: stop for good, keep the outbox and the sign-in
      // for the updated app, and let the person know (the update prompt reads this code).
      this.#protocolRefused = true;
      this.#status.update({ syncing: false, progress: null, error: failure.code, nextRetryAt: null });
      this.stop();
      return;
    }
    if (!failure.retry) {
      await this.write(['meta'], (tx) => setMeta(tx, 'auth', null)).catch(() => undefined);
      this.#status.update({ syncing: false, progress: null, signedIn: false, error: failure.code, nextRetryAt: null });
      return;
    }
    if (error instanceof PushFailed) await this.#countPushFailure(error);
    const delay = Math.max(backoffDelay(this.#failures, this.#random, this.#backoff), failure.minDelayMs);
    this.#failures += 1;
    const now = this.#clock.now();
    this.#notBefore = failure.minDelayMs > 0 ? now + failure.minDelayMs : 0;
    this.#status.update({ syncing: false, progress: null, error: failure.code, nextRetryAt: this.#started ? now + delay : null });
    if (this.#started) this.#schedule(delay);
  }

  /** Counts 500s on the same changes; from the `unsendableAfter`th on, the person is told. */
  async #countPushFailure(error: PushFailed): Promise<void> {
    const ids = error.ids.join(',');
    const count = this.#failedPush?.ids === ids ? this.#failedPush.count + 1 : 1;
    this.#failedPush = { ids, count };
    if (count < this.#unsendableAfter) return;
    const unsendable = await this.#storage.read((tx) => readUnsendable(tx, error.ids)).catch(() => []);
    this.#status.update({ unsendable });
  }

  /** A failed cycle scheduled its retry and no cycle runs now. */
  #waitingToRetry(): boolean {
    return this.#failures > 0 && this.#timer !== null && this.#running === null;
  }

  #schedule(ms: number): void {
    this.#clearTimer();
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = null;
      void this.#request(false);
    }, ms);
  }

  #clearTimer(): void {
    if (this.#timer === null) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = null;
  }
}
