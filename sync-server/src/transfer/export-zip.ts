/**
 * Builds a person's export (docs/export-import.md): `duet-export.json` with their spaces and the
 * live conversations, messages, sessions, transcripts and read marks in them, plus each recording
 * as `audio/<transcriptId>.<ext>`, as one zip streamed with yazl. Entries are stored, not
 * deflated (recordings are compressed already), so the zip's length is known before the first
 * byte and the client can show a percentage; the recordings are read from the upload store a
 * chunk at a time, so no recording is ever held in memory.
 */
import type { Readable } from 'node:stream';
import {
  audioExtension,
  ConversationSchema,
  DATA_EXPORT_FORMAT,
  DATA_EXPORT_JSON,
  DATA_EXPORT_VERSION,
  MessageSchema,
  ReadMarkSchema,
  SessionSchema,
  TranscriptSchema,
  type DataExport,
  type Space,
} from '@duet/shared';
import yazl from 'yazl';
import type { AudioStore } from '../uploads/audio-store.ts';
import type { ExportedKind } from '../store/data-transfer-repo.ts';

/** A schema as far as the export needs it (a zod schema of the entity). */
interface EntitySchema<T> {
  safeParse(value: unknown): { success: true; data: T } | { success: false };
}

/** The export document from the entities read (one that no longer parses is left out rather than failing the export). */
export function exportDocument(input: {
  user: DataExport['user'];
  spaces: Space[];
  entities: ReadonlyArray<{ kind: ExportedKind; data: unknown }>;
  now: number;
}): DataExport {
  const of = <T>(kind: ExportedKind, schema: EntitySchema<T>): T[] =>
    input.entities.flatMap((e) => {
      if (e.kind !== kind) return [];
      const parsed = schema.safeParse(e.data);
      return parsed.success ? [parsed.data] : [];
    });
  const conversations = of('conversation', ConversationSchema);
  const known = new Set(conversations.map((c) => c.id));
  const transcripts = of('transcript', TranscriptSchema);
  return {
    format: DATA_EXPORT_FORMAT,
    version: DATA_EXPORT_VERSION,
    exportedAt: input.now,
    user: input.user,
    spaces: input.spaces,
    conversations,
    messages: of('message', MessageSchema).filter((m) => known.has(m.conversationId)),
    sessions: of('session', SessionSchema),
    transcripts: transcripts.map((t) => (t.conversationId !== null && !known.has(t.conversationId) ? { ...t, conversationId: null } : t)),
    // A read mark of a conversation the person no longer sees (a former partner's) says nothing.
    readMarks: of('readMark', ReadMarkSchema).filter((r) => known.has(r.conversationId)),
    audio: transcripts.flatMap((t) =>
      t.audio
        ? [
            {
              transcriptId: t.id,
              path: `audio/${t.id}.${audioExtension(t.audio.mimeType)}`,
              size: t.audio.size,
              mimeType: t.audio.mimeType,
            },
          ]
        : [],
    ),
  };
}

export interface ExportZip {
  stream: Readable;
  /** The zip's length in bytes (for Content-Length). */
  size: number;
}

/**
 * The zip of `document`. Recordings whose bytes the store does not hold in full (removed
 * meanwhile) are left out of the zip and of the document's audio list, and their transcripts keep
 * no audio.
 */
export async function exportZip(document: DataExport, store: AudioStore): Promise<ExportZip> {
  const uploadIds = new Map(document.transcripts.flatMap((t) => (t.audio ? [[t.id, t.audio.uploadId] as const] : [])));
  const present: DataExport['audio'] = [];
  for (const audio of document.audio) {
    const uploadId = uploadIds.get(audio.transcriptId);
    const stored = uploadId ? await store.getUpload(uploadId).catch(() => null) : null;
    if (stored && stored.offset >= audio.size) present.push(audio);
  }
  const kept = new Set(present.map((a) => a.transcriptId));
  const final: DataExport = {
    ...document,
    transcripts: document.transcripts.map((t) => (t.audio && !kept.has(t.id) ? { ...t, audio: null } : t)),
    audio: present,
  };
  const zip = new yazl.ZipFile();
  const mtime = new Date(document.exportedAt);
  zip.addBuffer(Buffer.from(JSON.stringify(final, null, 2)), DATA_EXPORT_JSON, { compress: false, mtime });
  for (const audio of present) {
    const uploadId = uploadIds.get(audio.transcriptId) ?? '';
    zip.addReadStreamLazy(audio.path, { size: audio.size, compress: false, mtime }, (done) => {
      store.openRange(uploadId, 0, audio.size - 1).then(
        (stream) => done(null, stream),
        (error: unknown) => done(error, undefined as unknown as Readable),
      );
    });
  }
  const size = await new Promise<number>((resolve) => {
    // yazl passes the computed length (its typings omit the argument).
    (zip.end as (options: object, callback: (size: number) => void) => void)({}, resolve);
  });
  return { stream: zip.outputStream as Readable, size };
}
