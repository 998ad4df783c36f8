/** Audio uploads: who uploads what for which transcript, how large, and whether it finished. */
import type pg from 'pg';

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

export interface NewUploadRow {
  id: string;
  transcriptId: string;
  spaceId: string;
  userId: string;
  /** Declared length; null when deferred. */
  size: number | null;
  mimeType: string;
}

export class UploadsRepo {
  constructor(private readonly db: Queryable) {}

  async find(id: string): Promise<{ spaceId: string; userId: string } | null> {
    const result = await this.db.query<{ space_id: string; user_id: string }>('SELECT space_id, user_id FROM uploads WHERE id = $1', [id]);
    const row = result.rows[0];
    return row ? { spaceId: row.space_id, userId: row.user_id } : null;
  }

  async insert(upload: NewUploadRow): Promise<void> {
    await this.db.query('INSERT INTO uploads (id, transcript_id, space_id, user_id, size, mime_type) VALUES ($1, $2, $3, $4, $5, $6)', [
      upload.id,
      upload.transcriptId,
      upload.spaceId,
      upload.userId,
      upload.size,
      upload.mimeType,
    ]);
  }

  /** Records the upload as finished at this size; null when there is no such upload. */
  async complete(id: string, size: number): Promise<{ transcriptId: string; mimeType: string } | null> {
    const result = await this.db.query<{ transcript_id: string; mime_type: string }>(
      'UPDATE uploads SET completed_at = now(), size = $2 WHERE id = $1 RETURNING transcript_id, mime_type',
      [id, size],
    );
    const row = result.rows[0];
    return row ? { transcriptId: row.transcript_id, mimeType: row.mime_type } : null;
  }

  async delete(id: string): Promise<void> {
    await this.db.query('DELETE FROM uploads WHERE id = $1', [id]);
  }

  async deleteUnfinished(id: string): Promise<void> {
    await this.db.query('DELETE FROM uploads WHERE id = $1 AND completed_at IS NULL', [id]);
  }

  async idsForTranscripts(transcriptIds: readonly string[]): Promise<string[]> {
    const result = await this.db.query<{ id: string }>('SELECT id FROM uploads WHERE transcript_id = ANY($1::text[])', [transcriptIds]);
    return result.rows.map((r) => r.id);
  }

  /** Serialises the upload admissions of one user until commit. */
  async lockUser(userId: string): Promise<void> {
    await this.db.query("SELECT pg_advisory_xact_lock(hashtext('duet-uploads:' || $1))", [userId]);
  }

  /** The user's unfinished, unexpired uploads, and the seconds until the oldest of them expires. */
  async unfinishedOf(userId: string, expireSec: number): Promise<{ count: number; retryAfterSec: number | null }> {
    const result = await this.db.query<{ count: number; retry_after_sec: number | null }>(
      `SELECT count(*)::int AS count,
              ceil(extract(epoch FROM min(created_at) + make_interval(secs => $2) - now()))::int AS retry_after_sec
         FROM uploads
        WHERE user_id = $1 AND completed_at IS NULL AND created_at > now() - make_interval(secs => $2)`,
      [userId, expireSec],
    );
    return { count: result.rows[0]?.count ?? 0, retryAfterSec: result.rows[0]?.retry_after_sec ?? null };
  }

  /**
   * The bytes the user stores: finished recordings of other transcripts than this one (its own is
   * replaced when the new one finishes) plus what unexpired unfinished ones announced (`maxBytes`
   * for a deferred length).
   */
  async storedBytes(userId: string, expireSec: number, replacedTranscriptId: string, maxBytes: number): Promise<number> {
    const result = await this.db.query<{ bytes: string }>(
      `SELECT coalesce(sum(coalesce(size, $4)), 0)::text AS bytes FROM uploads
        WHERE user_id = $1
          AND ((completed_at IS NOT NULL AND transcript_id <> $3)
               OR (completed_at IS NULL AND created_at > now() - make_interval(secs => $2)))`,
      [userId, expireSec, replacedTranscriptId, maxBytes],
    );
    return Number(result.rows[0]?.bytes ?? 0);
  }

  /** Deletes the records of uploads left unfinished past their expiry; returns their ids. */
  async claimExpired(expireSec: number): Promise<string[]> {
    const result = await this.db.query<{ id: string }>(
      'DELETE FROM uploads WHERE completed_at IS NULL AND created_at <= now() - make_interval(secs => $1) RETURNING id',
      [expireSec],
    );
    return result.rows.map((r) => r.id);
  }
}
