/**
 * Resumable audio uploads for transcripts with the tus protocol (@tus/server; the bytes in the
 * store of upload-storage.ts, which every instance sees, locked across instances). Authenticated by the device token; an upload may only target a transcript
 * in one of the user's spaces and is the uploader's alone; size-, count- and quota-limited (see
 * upload-limits.ts); unfinished ones expire and their bytes are deleted. A finished upload is
 * recorded on the transcript, which reaches every device through pulls;
 * GET /api/transcripts/:id/audio streams it back.
 */
import type { Locker, Server, Upload } from '@tus/server';
import { Router, type Request as ExpressRequest } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ErrorCode, IdSchema, isStorableText, TranscriptSchema } from '@duet/shared';
import type { SyncCache } from '../cache/sync-cache.ts';
import type { ServerClock } from '../clock.ts';
import { failureKind } from '../http/failure-kind.ts';
import { resolveToken, type authenticate } from '../http/authenticate.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { UploadsRepo } from '../store/uploads-repo.ts';
import type { UsersRepo } from '../store/users-repo.ts';
import { changeTranscript, type ServerWriteDeps } from '../sync/server-writes.ts';
import { audioRoute } from './audio-route.ts';
import type { AudioStore } from './audio-store.ts';
import { asProtocolError, isNotFound, ProtocolTusServer, tusRefusal, type TusRefusal } from './tus-errors.ts';
import type { Plans } from '../billing/plans.ts';
import { admitUpload, claimExpiredUploads, type UploadLimits } from './upload-limits.ts';

export const UPLOADS_PATH = '/api/uploads';
const AUDIO_TYPE = /^audio\/[a-z0-9.+-]+(;.*)?$/i;

export interface AudioUploadDeps extends ServerWriteDeps {
  pool: pg.Pool;
  clock: ServerClock;
  users: UsersRepo;
  cache: SyncCache;
  store: AudioStore;
  locker: Locker;
  maxBytes: number;
  limits: UploadLimits;
  logger: Logger;
  /** The plans' monthly audio minutes, taken when an upload starts. */
  plans?: Plans;
}

/**
 * The minutes a recording counts for: its transcript's recorded length, rounded up, at least one;
 * with no length known, one minute per started MiB announced (about what the app's recorder makes).
 */
export function audioMinutesOf(durationMs: number | null | undefined, size: number | null, maxBytes: number): number {
  if (typeof durationMs === 'number' && durationMs > 0) return Math.max(1, Math.ceil(durationMs / 60_000));
  return Math.max(1, Math.ceil((size ?? maxBytes) / (1024 * 1024)));
}

/** A thrown error as the protocol's body: 503 unavailable for an outage, else 500 internal. */
function failureResponse(error: unknown): TusRefusal {
  if (failureKind(error) === 'infrastructure') {
    return tusRefusal(503, ErrorCode.unavailable, 'the server cannot reach its database right now; try again shortly');
  }
  return tusRefusal(500, ErrorCode.internal, 'the server failed on this upload; the problem was logged');
}

export class AudioUploads {
  readonly store: AudioStore;
  readonly tus: Server;
  private sweeper: NodeJS.Timeout | null = null;

  constructor(private readonly deps: AudioUploadDeps) {
    // tus expiration (the store's): Upload-Expires on every answer, 410 for an expired upload; sweepExpired deletes them.
    this.store = deps.store;
    this.tus = new ProtocolTusServer({
      path: UPLOADS_PATH,
      datastore: this.store,
      locker: deps.locker,
      maxSize: deps.maxBytes,
      relativeLocation: true,
      // The app uploads from its own origin: no cross-origin access at all (no Access-Control-Allow-Origin).
      allowedOrigins: [],
      // A finished upload is a transcript's audio: it goes with the transcript, not through tus.
      disableTerminationForFinishedUploads: true,
      namingFunction: () => deps.clock.newId(),
      onIncomingRequest: async (req, uploadId) => this.authorise(req, uploadId),
      onUploadCreate: async (req, upload) => this.create(req, upload),
      onUploadFinish: async (_req, upload) => {
        await this.finish(upload);
        return {};
      },
      // tus's own refusals (size, offset) in the protocol's error shape.
      onResponseError: async (_req, error) => {
        const status = (error as { status_code?: number }).status_code;
        // An error without a tus status was thrown by our hooks: an outage is 503, anything else a bug.
        if (status === undefined) {
          const response = failureResponse(error);
          if (response.status_code === 500) deps.logger.error({ err: error }, 'upload request failed');
          return response;
        }
        if (status >= 500) deps.logger.error({ err: error }, 'upload request failed');
        return asProtocolError(status, (error as { body?: string }).body ?? '');
      },
    });
  }

  /** Deletes uploads left unfinished past UPLOAD_EXPIRE_SEC, every so often until stop(). */
  startExpiry(): void {
    const everyMs = Math.min(this.deps.limits.expireSec, 60) * 1000;
    this.sweeper = this.deps.clock.timers.setInterval(() => void this.sweepExpired(), everyMs);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) this.deps.clock.timers.clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** Removes expired unfinished uploads: their records, then their bytes (also bytes no record names any more). */
  async sweepExpired(): Promise<void> {
    try {
      for (const id of await claimExpiredUploads(this.deps.pool, this.deps.limits.expireSec)) {
        await this.store.remove(id).catch(() => {});
      }
      await this.tus.cleanUpExpiredUploads();
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'expired uploads not removed; trying again later');
    }
  }

  private async userOf(req: globalThis.Request): Promise<{ userId: string; spaces: string[] }> {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get('authorization') ?? '');
    const identity = match?.[1] ? await resolveToken(this.deps.users, this.deps.cache, match[1]) : null;
    if (!identity) throw tusRefusal(401, ErrorCode.unauthorized, 'a valid bearer token is required');
    return { userId: identity.user.id, spaces: await new SpacesRepo(this.deps.pool).memberSpaceIds(identity.user.id) };
  }

  private async authorise(req: globalThis.Request, uploadId: string): Promise<void> {
    if (req.method === 'OPTIONS') return;
    const { userId, spaces } = await this.userOf(req);
    // Creating an upload is checked in onUploadCreate; every other call names an existing one.
    if (req.method === 'POST' || !uploadId) return;
    const uploads = new UploadsRepo(this.deps.pool);
    const upload = await uploads.find(uploadId);
    // An upload is its uploader's alone (a partner's, even in a shared space, is not found), and
    // only while the uploader is in its space.
    if (!upload || upload.userId !== userId || !spaces.includes(upload.spaceId))
      throw tusRefusal(404, ErrorCode.notFound, 'no such upload');
    // A cancelled upload frees its place at once (its bytes go next; the expiry sweep catches any left).
    if (req.method === 'DELETE') await uploads.deleteUnfinished(uploadId);
  }

  private async create(req: globalThis.Request, upload: Upload): Promise<{ metadata?: Record<string, string> }> {
    const { userId, spaces } = await this.userOf(req);
    const transcriptId = upload.metadata?.transcriptId ?? '';
    const mimeType = upload.metadata?.filetype ?? '';
    // The metadata is stored with the bytes (jsonb): text Postgres refuses is refused here, before anything is recorded.
    if (Object.values(upload.metadata ?? {}).some((value) => value !== null && !isStorableText(value))) {
      throw tusRefusal(400, ErrorCode.invalidBody, 'upload metadata contains U+0000 or a lone surrogate, which cannot be stored');
    }
    if (!AUDIO_TYPE.test(mimeType)) throw tusRefusal(400, ErrorCode.invalidBody, 'filetype metadata must be an audio type');
    // Checked before any query: an id with U+0000 would fail in Postgres instead of being refused.
    if (!IdSchema.safeParse(transcriptId).success) throw tusRefusal(400, ErrorCode.invalidBody, 'transcriptId metadata must be an id');
    const row = await new EntitiesRepo(this.deps.pool).get('transcript', transcriptId);
    if (!row || !spaces.includes(row.spaceId)) throw tusRefusal(403, ErrorCode.forbidden, 'not allowed');
    const plans = this.deps.plans;
    const durationMs = TranscriptSchema.safeParse(row.data).data?.durationMs;
    const minutes = audioMinutesOf(durationMs, upload.size ?? null, this.deps.maxBytes);
    await admitUpload(
      this.deps.pool,
      this.deps.limits,
      this.deps.maxBytes,
      { id: upload.id, transcriptId, spaceId: row.spaceId, userId, size: upload.size ?? null, mimeType },
      plans ? (client) => plans.take(client, userId, 'audio_minutes', minutes) : undefined,
    );
    return {};
  }

  private async finish(upload: Upload): Promise<void> {
    const row = await new UploadsRepo(this.deps.pool).complete(upload.id, upload.offset);
    if (!row) return;
    const audio = { uploadId: upload.id, size: upload.offset, mimeType: row.mimeType, uploadedAt: this.deps.clock.now() };
    const previous: string[] = [];
    await changeTranscript(this.deps, row.transcriptId, (t) => {
      if (t.audio?.uploadId) previous.push(t.audio.uploadId);
      return { ...t, audio };
    });
    // A re-recording replaces the old audio.
    for (const id of previous) if (id !== upload.id) await this.remove(id);
  }

  /** Deletes an upload's bytes and record (when its transcript is deleted or its audio replaced). */
  async remove(uploadId: string): Promise<void> {
    await this.store.remove(uploadId).catch((error: unknown) => {
      if (!isNotFound(error)) this.deps.logger.warn({ err: error, uploadId }, 'audio bytes not removed');
    });
    await new UploadsRepo(this.deps.pool).delete(uploadId);
  }

  async removeForTranscripts(transcriptIds: readonly string[]): Promise<void> {
    if (transcriptIds.length === 0) return;
    for (const id of await new UploadsRepo(this.deps.pool).idsForTranscripts(transcriptIds)) await this.remove(id);
  }

  /** The Express routes: the tus endpoint and the audio stream of a transcript. */
  routes(auth: ReturnType<typeof authenticate>): Router {
    const router = Router();
    const handle = (req: ExpressRequest, res: Parameters<Server['handle']>[1]) => this.tus.handle(req, res);
    router.all(UPLOADS_PATH, handle);
    router.all(`${UPLOADS_PATH}/*rest`, handle);
    router.get('/api/transcripts/:id/audio', auth, audioRoute({ pool: this.deps.pool, store: this.store, logger: this.deps.logger }));
    return router;
  }
}
