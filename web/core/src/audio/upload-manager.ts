/**
 * Uploads recordings kept on this device, one tus upload per transcript. An upload starts when
 * the device is online, someone is signed in and the transcript exists on the server (its create
 * mutation was pushed); it resumes from the stored upload URL after a failure or a reload, and
 * retries with backoff while the server cannot take it yet. Framework-free: the UI subscribes.
 */
import type { Signal, TimerHandle, Timers } from '../sync/platform.ts';
import { systemTimers } from '../sync/platform.ts';
import { MAX_AUDIO_BYTES } from './recording.ts';
import type { AudioRecording, RecordingPatch, RecordingState, UploadFailure } from './recording.ts';
import type { RecordingStore } from './recording-store.ts';
import type { UploadHandle, UploadTransport } from './upload-transport.ts';

/** Whether the transcript can take audio on the server yet. */
export type TranscriptPresence = 'confirmed' | 'pending' | 'missing' | 'deleted';

/** Why a pending upload is not moving. */
export type UploadWait = 'offline' | 'signed_out' | 'not_synced' | 'retrying';

export interface UploadView {
  transcriptId: string;
  state: RecordingState;
  uploadedBytes: number;
  totalBytes: number;
  waiting: UploadWait | null;
  error: UploadFailure | null;
}

export interface UploadManagerDeps {
  store: RecordingStore;
  transport: UploadTransport;
  /** Absolute URL of the tus endpoint. */
  endpoint: string;
  online: Signal;
  /** The device token, null when signed out. */
  token(): string | null;
  presence(transcriptId: string): Promise<TranscriptPresence>;
  /** Calls back when sign-in or local data changed, so waiting uploads are looked at again. */
  onWorldChange(listener: () => void): () => void;
  timers?: Timers;
  maxBytes?: number;
  chunkSize?: number;
  /** Waits before retries 1, 2, ...; the last one repeats. */
  retryDelaysMs?: readonly number[];
}

export const DEFAULT_CHUNK_BYTES = 256 * 1024;
const DEFAULT_RETRY_DELAYS_MS = [2_000, 5_000, 15_000, 30_000, 60_000];

export class UploadManager {
  readonly #deps: UploadManagerDeps;
  readonly #timers: Timers;
  readonly #views = new Map<string, UploadView>();
  /** Running attempts; the entry exists before the transport starts, so early callbacks find it. */
  readonly #active = new Map<string, { handle: UploadHandle | null }>();
  readonly #retries = new Map<string, { timer: TimerHandle | null; attempts: number }>();
  readonly #listeners = new Set<() => void>();
  #detach: Array<() => void> = [];
  #scanning: Promise<void> | null = null;
  #scanAgain = false;

  constructor(deps: UploadManagerDeps) {
    this.#deps = deps;
    this.#timers = deps.timers ?? systemTimers;
  }

  /** Loads the stored recordings and starts watching; resolves after the first scan. */
  async start(): Promise<void> {
    this.#detach = [
      this.#deps.online.subscribe((online) => {
        if (online) this.#clearRetryTimers();
        else void this.#pauseAll('offline');
        void this.kick();
      }),
      this.#deps.onWorldChange(() => void this.kick()),
    ];
    for (const recording of await this.#deps.store.all()) this.#setView(recording, null);
    await this.kick();
  }

  /** Stops watching and aborts running uploads (they resume on the next start). */
  async stop(): Promise<void> {
    for (const detach of this.#detach) detach();
    this.#detach = [];
    this.#clearRetryTimers();
    this.#retries.clear();
    await this.#pauseAll(null);
  }

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The upload's state; the same object until it changes (for useSyncExternalStore). */
  view(transcriptId: string): UploadView | null {
    return this.#views.get(transcriptId) ?? null;
  }

  /** Keeps a new recording for a transcript and uploads it when it can. Throws the store's DuetError. */
  async add(recording: Pick<AudioRecording, 'transcriptId' | 'blob' | 'mimeType' | 'durationMs'>): Promise<void> {
    await this.discard(recording.transcriptId);
    const stored: AudioRecording = { ...recording, uploadUrl: null, uploadedBytes: 0, state: 'pending' };
    await this.#deps.store.put(stored);
    this.#setView(stored, null);
    void this.kick();
  }

  /** Forgets a transcript's recording: stops its upload and deletes it from this device. */
  async discard(transcriptId: string): Promise<void> {
    this.#clearRetry(transcriptId);
    const attempt = this.#active.get(transcriptId);
    this.#active.delete(transcriptId);
    await attempt?.handle?.abort().catch(() => undefined);
    await this.#deps.store.delete(transcriptId);
    if (this.#views.delete(transcriptId)) this.#emit();
  }

  /** Forgets every recording on this device (sign-out, or another person signing in). */
  async clear(): Promise<void> {
    const stored = await this.#deps.store.all();
    const ids = new Set([...this.#views.keys(), ...stored.map((recording) => recording.transcriptId)]);
    for (const id of ids) await this.discard(id);
  }

  /** Tries a failed upload again from the start. */
  async retry(transcriptId: string): Promise<void> {
    this.#clearRetry(transcriptId);
    const updated = await this.#deps.store.patch(transcriptId, { state: 'pending', uploadUrl: null, uploadedBytes: 0, error: null });
    if (updated) this.#setView(updated, null);
    void this.kick();
  }

  /** Looks at every recording not uploaded yet and starts those that can go. */
  kick(): Promise<void> {
    if (this.#scanning) {
      this.#scanAgain = true;
      return this.#scanning;
    }
    const scanUntilQuiet = async () => {
      try {
        do {
          this.#scanAgain = false;
          await this.#scan();
        } while (this.#scanAgain);
      } finally {
        // In the same step as the last check, so a kick in between is never lost.
        this.#scanning = null;
      }
    };
    this.#scanning = scanUntilQuiet();
    return this.#scanning;
  }

  async #scan(): Promise<void> {
    for (const view of [...this.#views.values()]) {
      const id = view.transcriptId;
      if (view.state === 'uploaded' || view.state === 'failed' || this.#active.has(id)) continue;
      const retry = this.#retries.get(id);
      if (retry && retry.timer !== null) continue;
      try {
        await this.#consider(id);
      } catch {
        // The store or the local data could not be read; the next change or retry looks again.
        this.#scheduleRetry(id);
      }
    }
  }

  async #consider(id: string): Promise<void> {
    const recording = await this.#deps.store.get(id);
    if (!recording) {
      if (this.#views.delete(id)) this.#emit();
      return;
    }
    if (recording.blob.size > (this.#deps.maxBytes ?? MAX_AUDIO_BYTES)) {
      await this.#update(id, { state: 'failed', error: 'too_large' });
      return;
    }
    if (!this.#deps.online.get()) return this.#setView(recording, 'offline');
    const token = this.#deps.token();
    if (!token) return this.#setView(recording, 'signed_out');
    const presence = await this.#deps.presence(id);
    if (presence === 'deleted') return this.discard(id);
    if (presence !== 'confirmed') return this.#setView(recording, 'not_synced');
    if (this.#active.has(id) || !this.#views.has(id)) return;
    this.#begin(recording, token);
  }

  #begin(recording: AudioRecording, token: string): void {
    const id = recording.transcriptId;
    const entry: { handle: UploadHandle | null } = { handle: null };
    const isCurrent = () => this.#active.get(id) === entry;
    const settle = () => {
      if (!isCurrent()) return false;
      this.#active.delete(id);
      return true;
    };
    this.#active.set(id, entry);
    this.#setView({ ...recording, state: 'uploading' }, null);
    void this.#update(id, { state: 'uploading', error: null }, false);
    entry.handle = this.#deps.transport.start({
      blob: recording.blob,
      endpoint: this.#deps.endpoint,
      uploadUrl: recording.uploadUrl,
      token,
      metadata: { transcriptId: id, filetype: recording.mimeType },
      chunkSize: this.#deps.chunkSize ?? DEFAULT_CHUNK_BYTES,
      onUploadUrl: (url) => {
        if (isCurrent()) void this.#update(id, { uploadUrl: url }, false);
      },
      onProgress: (sent) => {
        const view = this.#views.get(id);
        if (isCurrent() && view) this.#replaceView({ ...view, uploadedBytes: Math.min(sent, view.totalBytes) });
      },
      onChunkComplete: (accepted) => {
        if (!isCurrent()) return;
        const retry = this.#retries.get(id);
        if (retry) retry.attempts = 0;
        void this.#update(id, { uploadedBytes: accepted }, false);
      },
      onSuccess: () => {
        if (!settle()) return;
        this.#clearRetry(id);
        void this.#update(id, { state: 'uploaded', uploadedBytes: recording.blob.size, error: null });
      },
      onError: ({ status, code }) => {
        if (settle()) void this.#failed(id, status, code);
      },
    });
  }

  async #failed(id: string, status: number | null, code?: string): Promise<void> {
    // The user's stored audio is at its limit: waiting will not help, deleting recordings will.
    if (status === 413 && code === 'audio_quota_exceeded') return void (await this.#update(id, { state: 'failed', error: 'over_quota' }));
    if (status === 413) return void (await this.#update(id, { state: 'failed', error: 'too_large' }));
    // The plan's audio minutes for this month are used up: waiting for next month or upgrading will.
    if (status === 402 && code === 'plan_limit_reached') return void (await this.#update(id, { state: 'failed', error: 'over_plan' }));
    if (status === 400 || status === 415) return void (await this.#update(id, { state: 'failed', error: 'rejected' }));
    // 403/404: the transcript is not on the server yet (or the upload is gone: start afresh);
    // 410: the unfinished upload expired on the server; 429: too many unfinished, try later.
    const patch: RecordingPatch = status === 404 || status === 410 ? { state: 'pending', uploadUrl: null } : { state: 'pending' };
    await this.#update(id, patch);
    if (!this.#deps.online.get()) return this.#setWaiting(id, 'offline');
    this.#scheduleRetry(id);
  }

  #scheduleRetry(id: string): void {
    const retry = this.#retries.get(id) ?? { timer: null, attempts: 0 };
    if (retry.timer !== null) return;
    const delays = this.#deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const delay = delays[Math.min(retry.attempts, delays.length - 1)] ?? 0;
    retry.attempts += 1;
    retry.timer = this.#timers.setTimeout(() => {
      retry.timer = null;
      void this.kick();
    }, delay);
    this.#retries.set(id, retry);
    this.#setWaiting(id, 'retrying');
  }

  #clearRetryTimers(): void {
    for (const retry of this.#retries.values()) {
      if (retry.timer !== null) this.#timers.clearTimeout(retry.timer);
      retry.timer = null;
    }
  }

  #clearRetry(id: string): void {
    const retry = this.#retries.get(id);
    if (retry && retry.timer !== null) this.#timers.clearTimeout(retry.timer);
    this.#retries.delete(id);
  }

  async #pauseAll(waiting: UploadWait | null): Promise<void> {
    const running = [...this.#active];
    this.#active.clear();
    for (const [id, attempt] of running) {
      await attempt.handle?.abort().catch(() => undefined);
      const view = this.#views.get(id);
      if (view) this.#replaceView({ ...view, state: 'pending', waiting });
    }
  }

  /** Saves a patch and shows the stored result; `show` false keeps the view as it is. */
  async #update(id: string, patch: RecordingPatch, show = true): Promise<void> {
    const updated = await this.#deps.store.patch(id, patch).catch(() => null);
    if (show && updated && this.#views.has(id)) this.#setView(updated, null);
  }

  #setWaiting(id: string, waiting: UploadWait): void {
    const view = this.#views.get(id);
    if (view && view.state !== 'uploaded' && view.state !== 'failed') this.#replaceView({ ...view, waiting });
  }

  #setView(recording: AudioRecording, waiting: UploadWait | null): void {
    this.#replaceView({
      transcriptId: recording.transcriptId,
      // A record left 'uploading' (by a closed tab, or an attempt that ended) waits for the next one.
      state: recording.state === 'uploading' && !this.#active.has(recording.transcriptId) ? 'pending' : recording.state,
      uploadedBytes: recording.uploadedBytes,
      totalBytes: recording.blob.size,
      waiting,
      error: recording.error ?? null,
    });
  }

  #replaceView(next: UploadView): void {
    const current = this.#views.get(next.transcriptId);
    if (current && (Object.keys(next) as Array<keyof UploadView>).every((k) => current[k] === next[k])) return;
    this.#views.set(next.transcriptId, next);
    this.#emit();
  }

  #emit(): void {
    for (const listener of [...this.#listeners]) listener();
  }
}
