/**
 * Recordings in their own small IndexedDB database ('duet-audio', store 'recordings' keyed by
 * transcriptId), apart from the sync store so its schema stays as it is. Blobs are stored as
 * Blobs: the browser keeps them on disk rather than in memory.
 */
import { openDB } from 'idb';
import type { DBSchema, IDBPDatabase } from 'idb';
import { ClientErrorCode, DuetError, isQuotaExceeded } from '../api/errors.ts';
import { parseRecording, patchRecording } from './recording.ts';
import type { AudioRecording, RecordingPatch } from './recording.ts';
import type { RecordingStore } from './recording-store.ts';

export const AUDIO_DB_NAME = 'duet-audio';
const STORE = 'recordings';

interface AudioDb extends DBSchema {
  recordings: { key: string; value: AudioRecording };
}

function storageError(error: unknown): DuetError {
  const code = isQuotaExceeded(error) ? ClientErrorCode.quotaExceeded : ClientErrorCode.storageFailed;
  return new DuetError(code, undefined, { cause: error });
}

export class IdbRecordingStore implements RecordingStore {
  readonly kind = 'indexeddb';
  readonly #db: Promise<IDBPDatabase<AudioDb>>;

  constructor(name = AUDIO_DB_NAME) {
    this.#db = openDB<AudioDb>(name, 1, {
      upgrade(db) {
        db.createObjectStore(STORE, { keyPath: 'transcriptId' });
      },
    });
  }

  async get(transcriptId: string): Promise<AudioRecording | null> {
    return parseRecording(await (await this.#db).get(STORE, transcriptId));
  }

  async all(): Promise<AudioRecording[]> {
    const records = await (await this.#db).getAll(STORE);
    return records.map(parseRecording).filter((r): r is AudioRecording => r !== null);
  }

  async put(recording: AudioRecording): Promise<void> {
    try {
      await (await this.#db).put(STORE, recording);
    } catch (error) {
      throw storageError(error);
    }
  }

  async patch(transcriptId: string, patch: RecordingPatch): Promise<AudioRecording | null> {
    try {
      const tx = (await this.#db).transaction(STORE, 'readwrite');
      const current = parseRecording(await tx.store.get(transcriptId));
      const next = current ? patchRecording(current, patch) : null;
      if (next) await tx.store.put(next);
      await tx.done;
      return next;
    } catch (error) {
      throw storageError(error);
    }
  }

  async delete(transcriptId: string): Promise<void> {
    await (await this.#db).delete(STORE, transcriptId);
  }

  close(): void {
    void this.#db.then(
      (db) => db.close(),
      () => undefined,
    );
  }
}
