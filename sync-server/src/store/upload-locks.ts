/**
 * Session advisory locks on uploads, taken and released on one dedicated connection (see
 * uploads/pg-locker.ts), and the channel on which an instance asks the holder to let go.
 */
import type pg from 'pg';
import { listen, notify } from './notify-channel.ts';

export const UPLOAD_RELEASE_CHANNEL = 'duet_upload_release';

/** The 64-bit advisory lock key of an upload (its own namespace: no other lock uses this prefix). */
const KEY = "hashtextextended('duet-upload:' || $1, 0)";

export class UploadLocks {
  constructor(private readonly connection: pg.Client) {}

  /** Takes the upload's lock for this session without waiting; false when another session holds it. */
  async tryLock(uploadId: string): Promise<boolean> {
    const result = await this.connection.query<{ locked: boolean }>(`SELECT pg_try_advisory_lock(${KEY}) AS locked`, [uploadId]);
    return result.rows[0]?.locked === true;
  }

  async unlock(uploadId: string): Promise<void> {
    await this.connection.query(`SELECT pg_advisory_unlock(${KEY})`, [uploadId]);
  }

  /** Hears the requests of other instances to release an upload. */
  async listenForReleaseRequests(): Promise<void> {
    await listen(this.connection, UPLOAD_RELEASE_CHANNEL);
  }
}

/** Asks whichever instance holds the upload's lock to finish its request and let go. */
export async function requestUploadRelease(pool: pg.Pool, uploadId: string): Promise<void> {
  await notify(pool, UPLOAD_RELEASE_CHANNEL, uploadId);
}
