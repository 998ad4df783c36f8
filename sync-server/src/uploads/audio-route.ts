/**
 * GET /api/transcripts/:id/audio: a transcript's recording, streamed from the upload store (any
 * instance serves any recording), whole or one byte range (206 with Content-Range; 416
 * range_not_satisfiable for a range past its end). The bytes travel a chunk at a time, so a
 * 50 MiB recording is never held in memory.
 */
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ErrorCode, IdSchema, TranscriptSchema } from '@duet/shared';
import { ApiError, badBody } from '../http/api-error.ts';
import { identityOf } from '../http/authenticate.ts';
import { EntitiesRepo } from '../store/entities-repo.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { AudioBytesMissing, type AudioStore } from './audio-store.ts';

const noAudio = () => new ApiError(404, ErrorCode.notFound, 'this transcript has no audio');

/** The bytes to send: the whole recording, or the one range asked for (several or malformed ranges are ignored, as RFC 9110 allows). */
function rangeOf(req: Request, size: number, etag: string): { start: number; end: number; partial: boolean } {
  const whole = { start: 0, end: size - 1, partial: false };
  const ifRange = req.get('if-range');
  // If-Range names another version: the whole recording.
  if (!req.get('range') || (ifRange !== undefined && ifRange !== etag)) return whole;
  const ranges = req.range(size, { combine: true });
  if (ranges === -1) {
    throw new ApiError(
      416,
      ErrorCode.rangeNotSatisfiable,
      'the range asked for is outside the recording',
      { size },
      {
        'Content-Range': `bytes */${size}`,
      },
    );
  }
  if (ranges === undefined || ranges === -2 || ranges.type !== 'bytes' || ranges.length !== 1 || !ranges[0]) return whole;
  return { start: ranges[0].start, end: ranges[0].end, partial: true };
}

export function audioRoute(deps: { pool: pg.Pool; store: AudioStore; logger: Logger }) {
  return async (req: Request, res: Response): Promise<void> => {
    const { user } = identityOf(req);
    if (!IdSchema.safeParse(req.params.id).success) throw badBody('the transcript id in the path is not an id');
    const row = await new EntitiesRepo(deps.pool).get('transcript', String(req.params.id));
    const spaces = await new SpacesRepo(deps.pool).memberSpaceIds(user.id);
    const transcript = TranscriptSchema.safeParse(row?.data);
    if (!row || !spaces.includes(row.spaceId) || !transcript.success || !transcript.data.audio) throw noAudio();
    const audio = transcript.data.audio;
    // An upload id names one recording for good: a new recording has a new id.
    const etag = `"${audio.uploadId}"`;
    res.setHeader('Accept-Ranges', 'bytes');
    res.setHeader('ETag', etag);
    // no-transform: the compression middleware leaves the bytes alone (a range is of the bytes as stored).
    res.setHeader('Cache-Control', 'private, no-store, no-transform');
    const { start, end, partial } = rangeOf(req, audio.size, etag);
    res.status(partial ? 206 : 200);
    res.setHeader('Content-Type', audio.mimeType);
    res.setHeader('Content-Length', String(end - start + 1));
    if (partial) res.setHeader('Content-Range', `bytes ${start}-${end}/${audio.size}`);
    if (req.method === 'HEAD' || audio.size === 0) {
      res.end();
      return;
    }
    try {
      await pipeline(await deps.store.openRange(audio.uploadId, start, end), res);
    } catch (error) {
      if (!res.headersSent) {
        // Nothing sent yet: the error handler answers (an outage 503; bytes gone, replaced meanwhile, 404).
        for (const header of ['Content-Length', 'Content-Range', 'ETag', 'Content-Type', 'Accept-Ranges']) res.removeHeader(header);
        if (error instanceof AudioBytesMissing) throw noAudio();
        throw error;
      }
      // Cut mid-stream (the client went away, or the store failed): only the connection can tell.
      if (!res.writableFinished && !req.destroyed) deps.logger.warn({ err: error, uploadId: audio.uploadId }, 'audio stream cut');
      res.destroy();
    }
  };
}
