/**
 * A tus DataStore that keeps upload bytes in Postgres (the source of truth every instance sees),
 * in chunks of at most CHUNK_BYTES (upload_files / upload_chunks, store/upload-files-repo.ts). A
 * PATCH is stored chunk by chunk as it arrives, so a cut connection keeps what came before the
 * cut and memory holds one chunk per request; each chunk goes in only at the upload's current end
 * (one statement), so even two writers that both got past the locker cannot interleave bytes.
 * The embedded PGlite takes the same path.
 */
import { Readable } from 'node:stream';
import { DataStore, ERRORS, Upload } from '@tus/server';
import type pg from 'pg';
import type { ServerClock } from '../clock.ts';
import { UploadFilesRepo } from '../store/upload-files-repo.ts';
import { AudioBytesMissing, type AudioStore } from './audio-store.ts';
import { tusError } from './tus-errors.ts';

/** The most bytes one chunk row holds (and one PATCH keeps in memory before storing them). */
export const CHUNK_BYTES = 512 * 1024;

export class PgUploadStore extends DataStore implements AudioStore {
  private readonly files: UploadFilesRepo;

  constructor(
    pool: pg.Pool,
    private readonly clock: ServerClock,
    private readonly expirationMs: number,
  ) {
    super();
    this.files = new UploadFilesRepo(pool);
    this.extensions = ['creation', 'creation-with-upload', 'creation-defer-length', 'termination', 'expiration'];
  }

  override async create(upload: Upload): Promise<Upload> {
    const createdAt = new Date(this.clock.now());
    await this.files.create({ id: upload.id, size: upload.size ?? null, metadata: upload.metadata ?? {}, createdAt });
    upload.creation_date = createdAt.toISOString();
    upload.storage = { type: 'postgres', path: upload.id };
    return upload;
  }

  override async getUpload(id: string): Promise<Upload> {
    const file = await this.files.find(id);
    if (!file) throw tusError(ERRORS.FILE_NOT_FOUND);
    return new Upload({
      id,
      offset: file.storedBytes,
      metadata: file.metadata,
      creation_date: file.createdAt.toISOString(),
      storage: { type: 'postgres', path: id },
      ...(file.size === null ? {} : { size: file.size }),
    });
  }

  override async declareUploadLength(id: string, size: number): Promise<void> {
    if (!(await this.files.declareSize(id, size))) throw tusError(ERRORS.INVALID_LENGTH);
  }

  /** Stores the stream at `offset`; resolves with the new end. Bytes that arrived before a failure stay. */
  override async write(readable: Readable, id: string, offset: number): Promise<number> {
    let end = offset;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let storeFailed = false;
    const store = async (bytes: Buffer) => {
      // Refused when the upload no longer ends at `end`: gone, or written by someone else.
      const stored = await this.files.appendChunk(id, end, bytes).catch((error: unknown) => {
        storeFailed = true;
        throw error;
      });
      if (!stored) {
        storeFailed = true;
        throw tusError(ERRORS.INVALID_OFFSET);
      }
      end += bytes.length;
    };
    const storePending = async () => {
      if (pendingBytes === 0) return;
      const bytes = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await store(bytes);
    };
    try {
      for await (const piece of readable as AsyncIterable<Buffer>) {
        pending.push(piece);
        pendingBytes += piece.length;
        while (pendingBytes >= CHUNK_BYTES) {
          const all = Buffer.concat(pending, pendingBytes);
          pending = [all.subarray(CHUNK_BYTES)];
          pendingBytes = all.length - CHUNK_BYTES;
          await store(all.subarray(0, CHUNK_BYTES));
        }
      }
      await storePending();
    } catch (error) {
      // A connection cut mid-body: what arrived is a prefix of the upload and is kept, so the
      // client resumes from there. After a failed store the rest no longer follows what is stored.
      if (!storeFailed) await storePending().catch(() => {});
      throw error;
    }
    return end;
  }

  override async remove(id: string): Promise<void> {
    if (!(await this.files.delete(id))) throw tusError(ERRORS.FILE_NOT_FOUND);
  }

  override getExpiration(): number {
    return this.expirationMs;
  }

  /** Deletes unfinished uploads past their expiry, chunks and all. */
  override async deleteExpired(): Promise<number> {
    if (this.expirationMs <= 0) return 0;
    return this.files.deleteUnfinishedBefore(new Date(this.clock.now() - this.expirationMs));
  }

  async openRange(id: string, start: number, end: number): Promise<Readable> {
    const files = this.files;
    async function* chunks(): AsyncGenerator<Buffer> {
      let position = start;
      while (position <= end) {
        const bytes = await files.readAt(id, position, Math.min(CHUNK_BYTES, end - position + 1));
        // The upload was removed while it was being read (replaced by a new recording, say).
        if (bytes.length === 0) throw new AudioBytesMissing(`upload ${id} has no bytes at ${position}`);
        position += bytes.length;
        yield bytes;
      }
    }
    // One chunk is read ahead at most: the next query waits until the reader has taken this one.
    return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
  }
}
