/**
 * Where recordings live on this device: a small async interface with an IndexedDB implementation
 * (idb-recording-store.ts) and an in-memory one (memory-recording-store.ts); one test suite runs
 * against both (recording-store.test.ts).
 */
import type { AudioRecording, RecordingPatch } from './recording.ts';

export interface RecordingStore {
  readonly kind: 'indexeddb' | 'memory';
  get(transcriptId: string): Promise<AudioRecording | null>;
  all(): Promise<AudioRecording[]>;
  /**
   * Saves a recording, replacing any of the same transcript. Throws DuetError 'quota_exceeded'
   * when the device is out of space, 'storage_failed' for other storage errors.
   */
  put(recording: AudioRecording): Promise<void>;
  /** Changes some fields in one transaction; returns the new record, or null when there is none. */
  patch(transcriptId: string, patch: RecordingPatch): Promise<AudioRecording | null>;
  delete(transcriptId: string): Promise<void>;
  close(): void;
}
