/** Recordings in memory: for tests, and where IndexedDB is unavailable (nothing survives a reload). */
import { patchRecording } from './recording.ts';
import type { AudioRecording, RecordingPatch } from './recording.ts';
import type { RecordingStore } from './recording-store.ts';

export class MemoryRecordingStore implements RecordingStore {
  readonly kind = 'memory';
  readonly #records = new Map<string, AudioRecording>();

  async get(transcriptId: string): Promise<AudioRecording | null> {
    return this.#records.get(transcriptId) ?? null;
  }

  async all(): Promise<AudioRecording[]> {
    return [...this.#records.values()].sort((a, b) => (a.transcriptId < b.transcriptId ? -1 : 1));
  }

  async put(recording: AudioRecording): Promise<void> {
    this.#records.set(recording.transcriptId, { ...recording });
  }

  async patch(transcriptId: string, patch: RecordingPatch): Promise<AudioRecording | null> {
    const current = this.#records.get(transcriptId);
    if (!current) return null;
    const next = patchRecording(current, patch);
    this.#records.set(transcriptId, next);
    return next;
  }

  async delete(transcriptId: string): Promise<void> {
    this.#records.delete(transcriptId);
  }

  close(): void {}
}
