/** What the audio routes need of an upload store: tus's DataStore plus reading a byte range back. */
import type { Readable } from 'node:stream';
import type { DataStore } from '@tus/server';

export interface AudioStore extends DataStore {
  /** The bytes `start`..`end` (inclusive) of a finished upload, streamed, never all in memory at once. */
  openRange(id: string, start: number, end: number): Promise<Readable>;
}

/** The store has no bytes where a recording should have them (removed meanwhile, replaced by a new one). */
export class AudioBytesMissing extends Error {}
