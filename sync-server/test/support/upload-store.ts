/** What the Postgres upload store holds for an upload (upload_files and upload_chunks), read directly. */
import { queryDatabase } from './transcript-watch.ts';

export interface StoredUpload {
  /** Whether tus's record of the upload exists. */
  recorded: boolean;
  /** Bytes stored, according to the record. */
  storedBytes: number | null;
  chunks: number;
  /** Bytes in chunks. */
  chunkBytes: number;
}

export async function storedUpload(databaseUrl: string, uploadId: string): Promise<StoredUpload> {
  const [row] = await queryDatabase<{ stored_bytes: number | null; chunks: number; chunk_bytes: number }>(
    databaseUrl,
    `SELECT (SELECT stored_bytes FROM upload_files WHERE id = $1)::int AS stored_bytes,
            count(*)::int AS chunks, coalesce(sum(octet_length(data)), 0)::int AS chunk_bytes
       FROM upload_chunks WHERE upload_id = $1`,
    [uploadId],
  );
  return {
    recorded: row?.stored_bytes !== null && row?.stored_bytes !== undefined,
    storedBytes: row?.stored_bytes ?? null,
    chunks: row?.chunks ?? 0,
    chunkBytes: row?.chunk_bytes ?? 0,
  };
}

/** Every upload id the store holds bytes or a record of. */
export async function storedUploadIds(databaseUrl: string): Promise<string[]> {
  const rows = await queryDatabase<{ id: string }>(
    databaseUrl,
    'SELECT id FROM upload_files UNION SELECT upload_id FROM upload_chunks ORDER BY 1',
  );
  return rows.map((r) => r.id);
}

export const nothingStored: StoredUpload = { recorded: false, storedBytes: null, chunks: 0, chunkBytes: 0 };
