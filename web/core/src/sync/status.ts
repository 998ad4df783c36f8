/** What the sync engine tells the UI about itself: one immutable snapshot per change. */

/** Codes of the engine's error state; the UI translates them. */
export type SyncErrorCode =
  | 'offline'
  | 'network'
  | 'unauthorized'
  | 'rate_limited'
  | 'unavailable'
  | 'server_error'
  | 'quota_exceeded'
  | 'storage_failed'
  | 'out_of_order'
  | 'invalid_response'
  | 'bad_request'
  /** The server no longer serves this app's protocol version: only an update helps. */
  | 'unsupported_protocol';

/** A mutation the server refused: removed from the outbox, kept here until the user dismisses it. */
export interface RejectedMutation {
  id: number;
  name: string;
  code: string;
  message: string;
  /** The arguments, so the UI can offer to copy the lost text. */
  args: unknown;
  at: number;
}

/**
 * A change the server keeps failing on (500 several times in a row, narrowed down to the smallest
 * batch that fails): still in the outbox and retried, until the person copies and discards it.
 */
export interface UnsendableChange {
  id: number;
  name: string;
  /** The arguments, so the UI can show and copy what the change holds. */
  args: unknown;
  createdAt: number;
}

/**
 * Progress of a pull that spans several pages. The protocol gives no total, so `percent` is an
 * estimate that only grows: it approaches 100 page by page and is exactly 100 when the last page
 * (hasMore false) arrived. `items` is exact: changes received so far in this pull.
 */
export interface PullProgress {
  items: number;
  pages: number;
  percent: number;
}

export interface SyncStatus {
  /** The platform's online signal (navigator.onLine by default). */
  online: boolean;
  /** Whether a token is available; false after logout or a 401. */
  signedIn: boolean;
  /** Mutations waiting in the outbox. */
  pending: number;
  lastSyncAt: number | null;
  syncing: boolean;
  progress: PullProgress | null;
  error: SyncErrorCode | null;
  /** When the next attempt after a failure is due (epoch ms), null when none is scheduled. */
  nextRetryAt: number | null;
  rejected: RejectedMutation[];
  /** Changes the server failed on several times in a row (see UnsendableChange); empty when none. */
  unsendable: UnsendableChange[];
  /** Another tab holds an older or newer database version open: the UI should ask for a reload. */
  upgradeBlocked: boolean;
  /** 'memory' when IndexedDB could not be opened: nothing survives a reload. */
  storage: 'indexeddb' | 'memory';
}

export const initialSyncStatus: SyncStatus = {
  online: true,
  signedIn: false,
  pending: 0,
  lastSyncAt: null,
  syncing: false,
  progress: null,
  error: null,
  nextRetryAt: null,
  rejected: [],
  unsendable: [],
  upgradeBlocked: false,
  storage: 'memory',
};

export type SyncStatusListener = (status: SyncStatus) => void;

/** Holds the current status and notifies subscribers when a patch changes it. */
export class SyncStatusStore {
  #status: SyncStatus;
  readonly #listeners = new Set<SyncStatusListener>();

  constructor(initial: Partial<SyncStatus> = {}) {
    this.#status = { ...initialSyncStatus, ...initial };
  }

  get(): SyncStatus {
    return this.#status;
  }

  update(patch: Partial<SyncStatus>): void {
    const next = { ...this.#status, ...patch };
    const changed = (Object.keys(patch) as Array<keyof SyncStatus>).some((k) => next[k] !== this.#status[k]);
    if (!changed) return;
    this.#status = next;
    for (const listener of [...this.#listeners]) listener(next);
  }

  subscribe(listener: SyncStatusListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
