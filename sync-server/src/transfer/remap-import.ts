/**
 * Turns a parsed export into the new account's entities (docs/export-import.md), without I/O:
 * every conversation, message, session and transcript gets a fresh id (the original account may
 * live in the same database, and ids are global keys), every reference is remapped, and all of
 * it goes into the new account's personal space (a new account has no partner, so the shared
 * space's conversations become personal ones). The exporter's user id becomes the new account's;
 * a former partner's id on their messages stays, so they still read as someone else's.
 */
import {
  readMarkId,
  type Conversation,
  type DataExport,
  type EntityKind,
  type FieldMeta,
  type Message,
  type ReadMark,
  type Session,
  type Transcript,
} from '@duet/shared';
import { invalidExport } from './import-zip.ts';

export interface ImportTarget {
  userId: string;
  personalSpaceId: string;
}

export interface ImportedAudio {
  /** The entry in the zip. */
  path: string;
  size: number;
  mimeType: string;
  /** The new upload's id and the new transcript it belongs to. */
  uploadId: string;
  transcriptId: string;
}

export interface ImportPlan {
  rows: Array<{ kind: EntityKind; id: string; data: Conversation | Message | Session | Transcript | ReadMark }>;
  audio: ImportedAudio[];
  counts: { conversations: number; messages: number; sessions: number; transcripts: number; readMarks: number; audio: number };
}

function idMap(kind: string, ids: readonly string[], newId: () => string): Map<string, string> {
  const map = new Map<string, string>();
  for (const id of ids) {
    if (map.has(id)) throw invalidExport('duplicate_id', `the export lists ${kind} ${id} twice`, { kind, id });
    map.set(id, newId());
  }
  return map;
}

/** The statuses a job owns go back to draft: the new account has no job for them (submitting again analyses it). */
function importedStatus(status: Transcript['status']): Transcript['status'] {
  return status === 'queued' || status === 'processing' ? 'draft' : status;
}

/** Throws the protocol's 400 `export_invalid` (with `reason`) for a duplicate id or a dangling reference. */
export function planImport(file: DataExport, target: ImportTarget, newId: () => string, now: number): ImportPlan {
  const user = (id: string) => (id === file.user.id ? target.userId : id);
  const meta = (m: FieldMeta): FieldMeta => ({ ...m, by: user(m.by) });
  const space = target.personalSpaceId;
  const conversations = idMap(
    'conversation',
    file.conversations.map((c) => c.id),
    newId,
  );
  const messages = idMap(
    'message',
    file.messages.map((m) => m.id),
    newId,
  );
  const sessions = file.sessions.filter((s) => s.userId === file.user.id);
  const sessionIds = idMap(
    'session',
    sessions.map((s) => s.id),
    newId,
  );
  const transcripts = idMap(
    'transcript',
    file.transcripts.map((t) => t.id),
    newId,
  );
  const conversation = (id: string, of: string) => {
    const mapped = conversations.get(id);
    if (!mapped)
      throw invalidExport('missing_reference', `${of} names conversation ${id}, which the export does not hold`, {
        of,
        conversationId: id,
      });
    return mapped;
  };

  const rows: ImportPlan['rows'] = [];
  for (const c of file.conversations) {
    const id = conversations.get(c.id) ?? '';
    rows.push({
      kind: 'conversation',
      id,
      data: {
        ...c,
        id,
        spaceId: space,
        createdBy: user(c.createdBy),
        meta: { title: meta(c.meta.title), archived: meta(c.meta.archived) },
      },
    });
  }
  for (const m of file.messages) {
    const id = messages.get(m.id) ?? '';
    const replyTo = m.replyTo ? (messages.get(m.replyTo) ?? null) : m.replyTo;
    const data: Message = {
      ...m,
      id,
      spaceId: space,
      conversationId: conversation(m.conversationId, `message ${m.id}`),
      authorId: user(m.authorId),
      meta: { body: meta(m.meta.body), ...(m.meta.deleted ? { deleted: meta(m.meta.deleted) } : {}) },
      ...(replyTo !== undefined ? { replyTo } : {}),
    };
    rows.push({ kind: 'message', id, data });
  }
  for (const s of sessions) {
    const id = sessionIds.get(s.id) ?? '';
    rows.push({ kind: 'session', id, data: { ...s, id, spaceId: space, userId: target.userId } });
  }
  const audioOf = new Map<string, DataExport['audio'][number]>();
  for (const a of file.audio) {
    if (!transcripts.has(a.transcriptId))
      throw invalidExport('missing_reference', `audio ${a.path} names transcript ${a.transcriptId}, which the export does not hold`, {
        transcriptId: a.transcriptId,
      });
    if (audioOf.has(a.transcriptId))
      throw invalidExport('duplicate_id', `the export lists audio for transcript ${a.transcriptId} twice`, {
        transcriptId: a.transcriptId,
      });
    audioOf.set(a.transcriptId, a);
  }
  const audio: ImportedAudio[] = [];
  for (const t of file.transcripts) {
    const id = transcripts.get(t.id) ?? '';
    const recording = audioOf.get(t.id);
    const uploadId = recording ? newId() : null;
    if (recording && uploadId)
      audio.push({ path: recording.path, size: recording.size, mimeType: recording.mimeType, uploadId, transcriptId: id });
    const data: Transcript = {
      ...t,
      id,
      spaceId: space,
      conversationId: t.conversationId === null ? null : conversation(t.conversationId, `transcript ${t.id}`),
      createdBy: user(t.createdBy),
      status: importedStatus(t.status),
      meta: { text: meta(t.meta.text) },
      audio: recording && uploadId ? { uploadId, size: recording.size, mimeType: recording.mimeType, uploadedAt: now } : null,
    };
    rows.push({ kind: 'transcript', id, data });
  }
  // One read mark per conversation: of two for the same one, the further.
  const marks = new Map<string, ReadMark>();
  for (const r of file.readMarks.filter((mark) => mark.userId === file.user.id)) {
    const conversationId = conversation(r.conversationId, `read mark ${r.id}`);
    const id = readMarkId(target.userId, conversationId);
    const earlier = marks.get(id);
    if (!earlier || earlier.readUpTo < r.readUpTo) marks.set(id, { ...r, id, spaceId: space, userId: target.userId, conversationId });
  }
  const readMarks = [...marks.values()];
  for (const r of readMarks) rows.push({ kind: 'readMark', id: r.id, data: r });
  return {
    rows,
    audio,
    counts: {
      conversations: file.conversations.length,
      messages: file.messages.length,
      sessions: sessions.length,
      transcripts: file.transcripts.length,
      readMarks: readMarks.length,
      audio: audio.length,
    },
  };
}
