/**
 * The file a person downloads with all their data (`GET /api/account/export`) and loads into a new
 * account (`POST /api/account/import`): a zip holding `duet-export.json` (this schema) and each
 * transcript's recording as `audio/<transcriptId>.<ext>`. See docs/export-import.md.
 */
import { z } from 'zod';
import { ConversationSchema, MessageSchema, ReadMarkSchema, SessionSchema, SpaceSchema, TranscriptSchema } from './entities.ts';
import { IdSchema } from './ids.ts';

export const DATA_EXPORT_FORMAT = 'duet-export';
/** Bumped when a reader of an older version could no longer read the file; the server reads this version only. */
export const DATA_EXPORT_VERSION = 1;
/** The JSON's name inside the zip. */
export const DATA_EXPORT_JSON = 'duet-export.json';

/** One recording in the zip: which transcript it belongs to and where it lies. */
export const DataExportAudioSchema = z.object({
  transcriptId: IdSchema,
  /** `audio/<transcriptId>.<ext>`. */
  path: z.string().regex(/^audio\/[A-Za-z0-9_-]{1,64}\.[a-z0-9]{1,8}$/),
  size: z.number().int().nonnegative(),
  mimeType: z.string().regex(/^audio\/[a-z0-9.+-]+(;.*)?$/i),
});
export type DataExportAudio = z.infer<typeof DataExportAudioSchema>;

/** Only `format` and `version`, read first: a file of another kind or version gets its own error. */
export const DataExportHeaderSchema = z.object({ format: z.string(), version: z.number() });

export const DataExportSchema = z.object({
  format: z.literal(DATA_EXPORT_FORMAT),
  version: z.literal(DATA_EXPORT_VERSION),
  /** Server ms when the file was made. */
  exportedAt: z.number(),
  user: z.object({ id: z.string(), email: z.string(), displayName: z.string() }),
  /** The person's spaces (personal first), with their members at export time. */
  spaces: z.array(SpaceSchema),
  conversations: z.array(ConversationSchema),
  messages: z.array(MessageSchema),
  sessions: z.array(SessionSchema),
  transcripts: z.array(TranscriptSchema),
  readMarks: z.array(ReadMarkSchema),
  audio: z.array(DataExportAudioSchema),
});
export type DataExport = z.infer<typeof DataExportSchema>;

/** The answer to an import: how many of each were loaded into the account. */
export const DataImportResponseSchema = z.object({
  imported: z.object({
    conversations: z.number().int().nonnegative(),
    messages: z.number().int().nonnegative(),
    sessions: z.number().int().nonnegative(),
    transcripts: z.number().int().nonnegative(),
    readMarks: z.number().int().nonnegative(),
    audio: z.number().int().nonnegative(),
  }),
});
export type DataImportResponse = z.infer<typeof DataImportResponseSchema>;

/** The file extension a recording of this type gets in the zip. */
export function audioExtension(mimeType: string): string {
  const subtype = (mimeType.split(';')[0] ?? '').split('/')[1]?.toLowerCase() ?? '';
  const known: Record<string, string> = {
    webm: 'webm',
    ogg: 'ogg',
    mpeg: 'mp3',
    mp4: 'm4a',
    'x-m4a': 'm4a',
    aac: 'aac',
    wav: 'wav',
    'x-wav': 'wav',
  };
  return known[subtype] ?? 'bin';
}
