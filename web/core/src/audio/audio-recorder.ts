/**
 * Records from the microphone with MediaRecorder. Framework-free; the browser's media APIs are
 * injected (defaults: navigator.mediaDevices and window.MediaRecorder). The duration is measured
 * with the clock, since MediaRecorder's WebM output carries none.
 */
import type { Clock } from '../sync/platform.ts';
import { systemClock } from '../sync/platform.ts';

export type RecorderErrorCode = 'unsupported' | 'permission_denied' | 'no_microphone' | 'microphone_busy' | 'recording_failed';

export class RecorderError extends Error {
  override readonly name = 'RecorderError';
  constructor(
    readonly code: RecorderErrorCode,
    options?: { cause?: unknown },
  ) {
    super(code, options);
  }
}

export interface RecordedAudio {
  blob: Blob;
  mimeType: string;
  durationMs: number;
}

export interface RecorderPlatform {
  getUserMedia(constraints: MediaStreamConstraints): Promise<MediaStream>;
  createRecorder(stream: MediaStream, mimeType: string | undefined): MediaRecorder;
  isTypeSupported(mimeType: string): boolean;
}

/** Preferred containers, best first: Chromium and Firefox record WebM/Opus, Safari MP4. */
const PREFERRED_TYPES = ['audio/webm;codecs=opus', 'audio/webm', 'audio/mp4', 'audio/ogg;codecs=opus'];

export function browserRecorderPlatform(): RecorderPlatform | null {
  if (typeof navigator === 'undefined' || !navigator.mediaDevices?.getUserMedia || typeof MediaRecorder === 'undefined') return null;
  return {
    getUserMedia: (constraints) => navigator.mediaDevices.getUserMedia(constraints),
    createRecorder: (stream, mimeType) => new MediaRecorder(stream, mimeType ? { mimeType } : {}),
    isTypeSupported: (mimeType) => MediaRecorder.isTypeSupported(mimeType),
  };
}

/** getUserMedia's DOMException names, in words the UI can translate. */
export function recorderErrorCode(error: unknown): RecorderErrorCode {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'permission_denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'no_microphone';
  if (name === 'NotReadableError' || name === 'AbortError') return 'microphone_busy';
  return 'recording_failed';
}

export class AudioRecorder {
  readonly #platform: RecorderPlatform | null;
  readonly #clock: Clock;
  #stream: MediaStream | null = null;
  #recorder: MediaRecorder | null = null;
  #chunks: Blob[] = [];
  #startedAt = 0;

  constructor(platform: RecorderPlatform | null = browserRecorderPlatform(), clock: Clock = systemClock) {
    this.#platform = platform;
    this.#clock = clock;
  }

  /** Asks for the microphone and starts recording. Throws RecorderError. */
  async start(): Promise<void> {
    const platform = this.#platform;
    if (!platform) throw new RecorderError('unsupported');
    this.cancel();
    let stream: MediaStream;
    try {
      stream = await platform.getUserMedia({ audio: true });
    } catch (error) {
      throw new RecorderError(recorderErrorCode(error), { cause: error });
    }
    try {
      const mimeType = PREFERRED_TYPES.find((type) => platform.isTypeSupported(type));
      const recorder = platform.createRecorder(stream, mimeType);
      this.#chunks = [];
      recorder.addEventListener('dataavailable', (event) => {
        if (event.data.size > 0) this.#chunks.push(event.data);
      });
      // A timeslice hands data over every second, so a long recording is not held in one buffer.
      recorder.start(1_000);
      this.#stream = stream;
      this.#recorder = recorder;
      this.#startedAt = this.#clock.now();
    } catch (error) {
      for (const track of stream.getTracks()) track.stop();
      throw new RecorderError('recording_failed', { cause: error });
    }
  }

  get recording(): boolean {
    return this.#recorder !== null;
  }

  elapsedMs(): number {
    return this.#recorder ? Math.max(0, this.#clock.now() - this.#startedAt) : 0;
  }

  /** Stops and hands over the recording. */
  stop(): Promise<RecordedAudio> {
    const recorder = this.#recorder;
    if (!recorder) return Promise.reject(new RecorderError('recording_failed'));
    const durationMs = this.elapsedMs();
    return new Promise<RecordedAudio>((resolve, reject) => {
      recorder.addEventListener(
        'stop',
        () => {
          const mimeType = recorder.mimeType || this.#chunks[0]?.type || 'audio/webm';
          const blob = new Blob(this.#chunks, { type: mimeType });
          this.#release();
          if (blob.size === 0) reject(new RecorderError('recording_failed'));
          else resolve({ blob, mimeType, durationMs });
        },
        { once: true },
      );
      recorder.stop();
    });
  }

  /** Stops without keeping anything (the form was left, or the recording discarded). */
  cancel(): void {
    if (this.#recorder && this.#recorder.state !== 'inactive') this.#recorder.stop();
    this.#release();
  }

  #release(): void {
    for (const track of this.#stream?.getTracks() ?? []) track.stop();
    this.#stream = null;
    this.#recorder = null;
    this.#chunks = [];
  }
}
