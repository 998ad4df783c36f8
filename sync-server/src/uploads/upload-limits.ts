/**
 * What one user may keep in the upload store: a few unfinished uploads at a time, each deleted
 * once it has stayed unfinished past its expiry, and a total of audio (finished recordings plus
 * what unfinished ones have announced) under a quota. Checked and recorded in one transaction
 * under a per-user lock, so parallel creations cannot slip past either limit together.
 */
import { ErrorCode } from '@duet/shared';
import type pg from 'pg';
import { inTransaction } from '../db/pool.ts';
import { UploadsRepo, type NewUploadRow } from '../store/uploads-repo.ts';
import type { PlanRefusal } from '../billing/plans.ts';
import { tusRefusal } from './tus-errors.ts';

export interface UploadLimits {
  maxUnfinishedPerUser: number;
  expireSec: number;
  quotaBytesPerUser: number;
}

/** A deferred length (size null) counts as the largest upload allowed until known. */
export type NewUpload = NewUploadRow;

/** Takes the upload's audio minutes from the uploader's plan inside the admission's transaction; null: they fit. */
export type TakeAudioMinutes = (client: pg.PoolClient) => Promise<PlanRefusal | null>;

/**
 * Records a new upload, or throws the refusal (429 too_many_uploads, 413 audio_quota_exceeded,
 * 402 plan_limit_reached when `takeMinutes` refuses).
 */
export async function admitUpload(
  pool: pg.Pool,
  limits: UploadLimits,
  maxBytes: number,
  upload: NewUpload,
  takeMinutes?: TakeAudioMinutes,
): Promise<void> {
  await inTransaction(pool, async (client) => {
    const uploads = new UploadsRepo(client);
    await uploads.lockUser(upload.userId);
    const open = await uploads.unfinishedOf(upload.userId, limits.expireSec);
    if (open.count >= limits.maxUnfinishedPerUser) {
      const retryAfterSec = Math.max(1, open.retryAfterSec ?? limits.expireSec);
      // Retry-After: when the oldest of them expires (ProtocolTusServer sends it from the details).
      throw tusRefusal(
        429,
        ErrorCode.tooManyUploads,
        `at most ${limits.maxUnfinishedPerUser} unfinished uploads at a time; finish or cancel one`,
        {
          retryAfterSec,
        },
      );
    }
    // A finished recording of the same transcript is replaced when this one finishes: not counted twice.
    const bytes = (await uploads.storedBytes(upload.userId, limits.expireSec, upload.transcriptId, maxBytes)) + (upload.size ?? maxBytes);
    if (bytes > limits.quotaBytesPerUser) {
      throw tusRefusal(413, ErrorCode.audioQuotaExceeded, 'this recording would take your stored audio past its limit', {
        quotaBytes: limits.quotaBytesPerUser,
      });
    }
    const planRefusal = takeMinutes ? await takeMinutes(client) : null;
    if (planRefusal) throw tusRefusal(402, planRefusal.code, planRefusal.message, planRefusal.details);
    await uploads.insert(upload);
  });
}

/** Deletes the records of uploads left unfinished past their expiry; returns their ids, whose bytes the caller removes. */
export async function claimExpiredUploads(pool: pg.Pool, expireSec: number): Promise<string[]> {
  return new UploadsRepo(pool).claimExpired(expireSec);
}
