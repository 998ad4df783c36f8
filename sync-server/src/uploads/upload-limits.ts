/**
 * What one user may keep in the upload store: a few unfinished uploads at a time, each deleted
 * once it has stayed unfinished past its expiry, and a total of audio (finished recordings plus
 * what unfinished ones have announced) under a quota. Checked and recorded in one transaction
 * under a per-user lock, so parallel creations cannot slip past either limit together.
 */
import { ErrorCode } from '@duet/shared';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import { tusRefusal } from './tus-errors.ts';

export interface UploadLimits {
  maxUnfinishedPerUser: number;
  expireSec: number;
  quotaBytesPerUser: number;
}

export interface NewUpload {
  id: string;
  transcriptId: string;
  spaceId: string;
  userId: string;
  /** Declared length; null when deferred, which counts as the largest upload allowed until known. */
  size: number | null;
  mimeType: string;
}

/** Records a new upload, or throws the refusal (429 too_many_uploads, 413 audio_quota_exceeded). */
export async function admitUpload(pool: pg.Pool, limits: UploadLimits, maxBytes: number, upload: NewUpload): Promise<void> {
  await inTransaction(pool, async (client) => {
    await client.query("SELECT pg_advisory_xact_lock(hashtext('duet-uploads:' || $1))", [upload.userId]);
    const unfinished = await client.query<{ count: number; retry_after_sec: number | null }>(
      `SELECT count(*)::int AS count,
              ceil(extract(epoch FROM min(created_at) + make_interval(secs => $2) - now()))::int AS retry_after_sec
         FROM uploads
        WHERE user_id = $1 AND completed_at IS NULL AND created_at > now() - make_interval(secs => $2)`,
      [upload.userId, limits.expireSec],
    );
    const open = unfinished.rows[0];
    if (open && open.count >= limits.maxUnfinishedPerUser) {
      const retryAfterSec = Math.max(1, open.retry_after_sec ?? limits.expireSec);
      // Retry-After: when the oldest of them expires (ProtocolTusServer sends it from the details).
      throw tusRefusal(429, ErrorCode.tooManyUploads, `at most ${limits.maxUnfinishedPerUser} unfinished uploads at a time; finish or cancel one`, {
        retryAfterSec,
      });
    }
    // A finished recording of the same transcript is replaced when this one finishes: not counted twice.
    const stored = await client.query<{ bytes: string }>(
      `SELECT coalesce(sum(coalesce(size, $4)), 0)::text AS bytes FROM uploads
        WHERE user_id = $1
          AND ((completed_at IS NOT NULL AND transcript_id <> $3)
               OR (completed_at IS NULL AND created_at > now() - make_interval(secs => $2)))`,
      [upload.userId, limits.expireSec, upload.transcriptId, maxBytes],
    );
    const bytes = Number(stored.rows[0]?.bytes ?? 0) + (upload.size ?? maxBytes);
    if (bytes > limits.quotaBytesPerUser) {
      throw tusRefusal(413, ErrorCode.audioQuotaExceeded, 'this recording would take your stored audio past its limit', {
        quotaBytes: limits.quotaBytesPerUser,
      });
    }
    await client.query(
      'INSERT INTO uploads (id, transcript_id, space_id, user_id, size, mime_type) VALUES ($1, $2, $3, $4, $5, $6)',
      [upload.id, upload.transcriptId, upload.spaceId, upload.userId, upload.size, upload.mimeType],
    );
  });
}

/** Deletes the records of uploads left unfinished past their expiry; returns their ids, whose bytes the caller removes. */
export async function claimExpiredUploads(pool: pg.Pool, expireSec: number): Promise<string[]> {
  const result = await pool.query<{ id: string }>(
    'DELETE FROM uploads WHERE completed_at IS NULL AND created_at <= now() - make_interval(secs => $1) RETURNING id',
    [expireSec],
  );
  return result.rows.map((r) => r.id);
}
