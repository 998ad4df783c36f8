/**
 * The bytes of tus uploads: `upload_files` (declared size, bytes stored so far, metadata, creation
 * time) and `upload_chunks` (the bytes, keyed by the offset each chunk starts at). Chunks are
 * contiguous: a chunk is only added at the upload's current end, in the same statement that moves
 * the end on, so two writers can never both add the bytes at one offset.
 */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface UploadFileRow {
  id: string;
  /** Declared length; null while deferred. */
  size: number | null;
  storedBytes: number;
  metadata: Record<string, string | null>;
  createdAt: Date;
}

interface FileRecord {
  id: string;
  size: number | null;
  stored_bytes: number;
  metadata: Record<string, string | null>;
  created_at: Date;
}

const toRow = (r: FileRecord): UploadFileRow => ({
  id: r.id,
  size: r.size,
  storedBytes: r.stored_bytes,
  metadata: r.metadata,
  createdAt: r.created_at,
});

export class UploadFilesRepo {
  constructor(private readonly db: Queryable) {}

  async create(file: { id: string; size: number | null; metadata: Record<string, string | null>; createdAt: Date }): Promise<void> {
    await this.db.query('INSERT INTO upload_files (id, size, metadata, created_at) VALUES ($1, $2, $3, $4)', [
      file.id,
      file.size,
      JSON.stringify(file.metadata),
      file.createdAt,
    ]);
  }

  async find(id: string): Promise<UploadFileRow | null> {
    const result = await this.db.query<FileRecord>('SELECT id, size, stored_bytes, metadata, created_at FROM upload_files WHERE id = $1', [
      id,
    ]);
    const row = result.rows[0];
    return row ? toRow(row) : null;
  }

  /** Sets a deferred length; false when there is no such upload or its length was already known. */
  async declareSize(id: string, size: number): Promise<boolean> {
    const result = await this.db.query('UPDATE upload_files SET size = $2 WHERE id = $1 AND size IS NULL', [id, size]);
    return result.rowCount === 1;
  }

  /**
   * Stores `data` at `offset` if the upload's bytes end exactly there (and the chunk fits its
   * declared size), moving the end on in the same statement. False when they do not (another
   * writer got there first, the upload is gone): nothing is stored then.
   */
  async appendChunk(id: string, offset: number, data: Buffer): Promise<boolean> {
    const result = await this.db.query(
      `WITH moved AS (
         UPDATE upload_files SET stored_bytes = stored_bytes + $3
          WHERE id = $1 AND stored_bytes = $2 AND (size IS NULL OR stored_bytes + $3 <= size)
          RETURNING id
       )
       INSERT INTO upload_chunks (upload_id, start_offset, end_offset, data)
       SELECT id, $2, $2 + $3, $4 FROM moved`,
      [id, offset, data.length, data],
    );
    return result.rowCount === 1;
  }

  /**
   * Up to `length` bytes of the upload from `offset`, from the one chunk that holds `offset`
   * (sliced by Postgres: only the bytes asked for travel). Empty when nothing is stored there.
   */
  async readAt(id: string, offset: number, length: number): Promise<Buffer> {
    const result = await this.db.query<{ bytes: Buffer }>(
      `SELECT substring(data FROM ($2 - start_offset + 1)::int FOR $3::int) AS bytes
         FROM upload_chunks
        WHERE upload_id = $1 AND start_offset <= $2 AND end_offset > $2
        ORDER BY start_offset DESC
        LIMIT 1`,
      [id, offset, length],
    );
    return result.rows[0]?.bytes ?? Buffer.alloc(0);
  }

  /** Deletes the upload and every chunk of it. */
  async delete(id: string): Promise<boolean> {
    const result = await this.db.query('DELETE FROM upload_files WHERE id = $1', [id]);
    return result.rowCount === 1;
  }

  /** Deletes unfinished uploads created before `before`, chunks and all; returns how many. */
  async deleteUnfinishedBefore(before: Date): Promise<number> {
    const result = await this.db.query('DELETE FROM upload_files WHERE (size IS NULL OR stored_bytes < size) AND created_at < $1', [
      before,
    ]);
    return result.rowCount ?? 0;
  }
}
