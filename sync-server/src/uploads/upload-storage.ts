/**
 * Where upload bytes live and how uploads are locked, from the config: bytes in Postgres (the
 * database in use, the embedded PGlite included) or in S3 when S3_BUCKET is set; locks in
 * Postgres across instances, or in memory for the embedded database (one process by construction;
 * its connections share one session, whose advisory locks would not exclude each other).
 */
import { MemoryLocker, type Locker } from '@tus/server';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ServerClock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { AudioStore } from './audio-store.ts';
import { PgUploadLocker } from './pg-locker.ts';
import { PgUploadStore } from './pg-store.ts';
import { S3AudioStore } from './s3-store.ts';

/** tus's own default: a request waits this long at most for an upload's lock. */
const LOCK_ACQUIRE_TIMEOUT_MS = 30_000;

export interface UploadStorage {
  store: AudioStore;
  locker: Locker;
  close(): Promise<void>;
}

export async function createUploadStorage(deps: {
  config: Pick<Config, 's3' | 'uploadLimits' | 'pgTimeouts'>;
  /** The database in use; null: the embedded one (this process alone). */
  sharedDatabaseUrl: string | null;
  pool: pg.Pool;
  clock: ServerClock;
  logger: Logger;
  queryTimeoutMs: number;
}): Promise<UploadStorage> {
  const { config, pool, clock, logger } = deps;
  const expirationMs = config.uploadLimits.expireSec * 1000;
  const store = config.s3 ? new S3AudioStore(config.s3, expirationMs) : new PgUploadStore(pool, clock, expirationMs);
  if (!deps.sharedDatabaseUrl)
    return { store, locker: new MemoryLocker({ acquireLockTimeout: LOCK_ACQUIRE_TIMEOUT_MS }), close: async () => {} };
  const locker = new PgUploadLocker({
    databaseUrl: deps.sharedDatabaseUrl,
    pool,
    clock,
    logger,
    instanceId: clock.newId(),
    connectTimeoutMs: config.pgTimeouts.connectMs,
    queryTimeoutMs: deps.queryTimeoutMs,
    acquireTimeoutMs: LOCK_ACQUIRE_TIMEOUT_MS,
  });
  await locker.start();
  return { store, locker, close: () => locker.close() };
}
