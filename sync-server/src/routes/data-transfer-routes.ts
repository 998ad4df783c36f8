/**
 * `GET /api/account/export`: the signed-in person's data as one zip, streamed.
 * `POST /api/account/import`: such a zip (body `application/zip`) loaded into the signed-in
 * account, which must be empty (409 `import_target_not_empty`). The rules, limits and errors are
 * in docs/export-import.md.
 */
import { pipeline } from 'node:stream/promises';
import { Upload } from '@tus/server';
import {
  DataExportHeaderSchema,
  DataExportSchema,
  DATA_EXPORT_FORMAT,
  DATA_EXPORT_VERSION,
  ErrorCode,
  type DataImportResponse,
} from '@duet/shared';
import { Router } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { ServerClock } from '../clock.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { DataTransferRepo } from '../store/data-transfer-repo.ts';
import type { SpaceWriter } from '../store/space-writer.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { UploadsRepo } from '../store/uploads-repo.ts';
import { UsersRepo } from '../store/users-repo.ts';
import { exportDocument, exportZip } from '../transfer/export-zip.ts';
import { invalidExport, openExportArchive, receiveBody, type ImportLimits } from '../transfer/import-zip.ts';
import { planImport, type ImportPlan } from '../transfer/remap-import.ts';
import type { AudioStore } from '../uploads/audio-store.ts';

export interface DataTransferRouteDeps {
  pool: pg.Pool;
  writer: SpaceWriter;
  store: AudioStore;
  clock: ServerClock;
  auth: ReturnType<typeof authenticate>;
  limits: ImportLimits;
  /** The largest recording an upload may have: an imported one too (413 above). */
  uploadMaxBytes: number;
  /** The audio a person may store (UPLOAD_QUOTA_BYTES_PER_USER): the imported recordings together too. */
  audioQuotaBytes: number;
  logger: Logger;
}

const notEmpty = () =>
  new ApiError(
    409,
    ErrorCode.importTargetNotEmpty,
    'data can only be imported into a new account: this one already has conversations, transcripts or a partner',
  );

/** The first few schema problems, as paths and messages (the whole list of a broken file could be huge). */
function issuesOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }) {
  return error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export function dataTransferRoutes(deps: DataTransferRouteDeps): Router {
  const router = Router();
  const users = new UsersRepo(deps.pool);

  router.get('/account/export', deps.auth, async (req, res) => {
    const { user } = identityOf(req);
    const spaces = await new SpacesRepo(deps.pool).listForUser(user.id);
    const entities = await new DataTransferRepo(deps.pool).liveEntities(spaces.map((s) => s.id));
    const now = deps.clock.now();
    const document = exportDocument({ user: { id: user.id, email: user.email, displayName: user.displayName }, spaces, entities, now });
    const zip = await exportZip(document, deps.store);
    const day = new Date(now).toISOString().slice(0, 10);
    res.status(200);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Length', String(zip.size));
    res.setHeader('Content-Disposition', `attachment; filename="duet-export-${day}.zip"`);
    res.setHeader('Cache-Control', 'private, no-store, no-transform');
    try {
      await pipeline(zip.stream, res);
    } catch (error) {
      // The headers are out: only cutting the connection tells the client the zip is incomplete.
      if (!req.destroyed) deps.logger.warn({ err: error }, 'export stream cut');
      res.destroy();
    }
  });

  router.post('/account/import', deps.auth, async (req, res) => {
    const { user } = identityOf(req);
    const row = await users.findById(user.id);
    if (!row) throw new ApiError(401, ErrorCode.unauthorized, 'a valid bearer token is required');
    const transfer = new DataTransferRepo(deps.pool);
    // Checked before the upload is read (a second check under the space's lock decides).
    if (!(await transfer.isEmptyAccount(user.id, row.personalSpaceId))) throw notEmpty();
    const received = await receiveBody(req, deps.limits.maxBytes);
    try {
      const archive = await openExportArchive(received.file, deps.limits);
      try {
        const header = DataExportHeaderSchema.safeParse(archive.json);
        if (!header.success || header.data.format !== DATA_EXPORT_FORMAT) {
          throw new ApiError(400, ErrorCode.exportUnsupported, `the file is not a ${DATA_EXPORT_FORMAT} file`, {
            expected: DATA_EXPORT_FORMAT,
          });
        }
        if (header.data.version !== DATA_EXPORT_VERSION) {
          throw new ApiError(
            400,
            ErrorCode.exportUnsupported,
            `export version ${header.data.version} cannot be read; this server reads version ${DATA_EXPORT_VERSION}`,
            {
              version: header.data.version,
              supported: [DATA_EXPORT_VERSION],
            },
          );
        }
        const parsed = DataExportSchema.safeParse(archive.json);
        if (!parsed.success)
          throw invalidExport('schema', 'the export holds data that does not match its format', { issues: issuesOf(parsed.error) });
        const plan = planImport(parsed.data, { userId: user.id, personalSpaceId: row.personalSpaceId }, deps.clock.newId, deps.clock.now());
        for (const audio of plan.audio) {
          const size = archive.entries.get(audio.path);
          if (size === undefined) throw invalidExport('audio_missing', `the archive has no ${audio.path}`, { path: audio.path });
          if (size !== audio.size) throw invalidExport('audio_size', `${audio.path} is not the size the export says`, { path: audio.path });
          if (size > deps.uploadMaxBytes)
            throw new ApiError(413, ErrorCode.payloadTooLarge, `${audio.path} is larger than a recording may be`, {
              limit: deps.uploadMaxBytes,
            });
        }
        // A new account stores no audio yet: the file's recordings are all it would hold.
        const audioBytes = plan.audio.reduce((sum, a) => sum + a.size, 0);
        if (audioBytes > deps.audioQuotaBytes) {
          throw new ApiError(413, ErrorCode.audioQuotaExceeded, 'the recordings in this file are more audio than an account may store', {
            quotaBytes: deps.audioQuotaBytes,
          });
        }
        const stored: string[] = [];
        try {
          for (const audio of plan.audio) {
            await deps.store.create(
              new Upload({
                id: audio.uploadId,
                offset: 0,
                size: audio.size,
                metadata: { filetype: audio.mimeType, transcriptId: audio.transcriptId },
              }),
            );
            stored.push(audio.uploadId);
            if (audio.size > 0) await deps.store.write(await archive.open(audio.path), audio.uploadId, 0);
          }
          await importPlan(deps, plan, user.id, row.personalSpaceId);
        } catch (error) {
          for (const id of stored) await deps.store.remove(id).catch(() => {});
          throw error;
        }
        res.status(200).json({ imported: plan.counts } satisfies DataImportResponse);
      } finally {
        archive.close();
      }
    } finally {
      await received.dispose();
    }
  });

  return router;
}

/** One space write: the entities at the personal space's next versions (so every device pulls them) and the uploads' records. */
async function importPlan(deps: DataTransferRouteDeps, plan: ImportPlan, userId: string, spaceId: string): Promise<void> {
  await deps.writer.write(async (write) => {
    await write.lock([spaceId]);
    if (!(await new DataTransferRepo(write.client).isEmptyAccount(userId, spaceId))) throw notEmpty();
    // A message tombstone stays one (pulls carry it as deleted, like the one it was made from).
    const deleted = (r: ImportPlan['rows'][number]) => r.kind === 'message' && (r.data as { deleted?: boolean }).deleted === true;
    await write.put(plan.rows.map((r) => ({ kind: r.kind, id: r.id, spaceId, deleted: deleted(r), data: r.data })));
    const uploads = new UploadsRepo(write.client);
    for (const audio of plan.audio) {
      await uploads.insert({
        id: audio.uploadId,
        transcriptId: audio.transcriptId,
        spaceId,
        userId,
        size: audio.size,
        mimeType: audio.mimeType,
      });
      await uploads.complete(audio.uploadId, audio.size);
    }
  });
}
