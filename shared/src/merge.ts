/**
 * The conflict rules as pure merges of two states of one entity. Each merge is commutative,
 * associative and idempotent, so replicas that see the same writes in any order (and with
 * duplicates) end up equal. Last-writer-wins fields compare by hlc; the hlc string ends with the
 * clientId, so equal times fall to the larger clientId.
 */
import type { Conversation, FieldMeta, Message, Session, Transcript, TranscriptStatus } from './entities.ts';
import { ACTIVITY_KINDS } from './entities.ts';
import { compareHlc } from './hlc.ts';

export interface LwwField<T> {
  value: T;
  meta: FieldMeta;
}

function stableCompare(a: unknown, b: unknown): number {
  const x = JSON.stringify(a) ?? '';
  const y = JSON.stringify(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Picks the winning write of a last-writer-wins field. */
export function pickLww<T>(a: LwwField<T>, b: LwwField<T>): LwwField<T> {
  const byHlc = compareHlc(a.meta.hlc, b.meta.hlc);
  if (byHlc !== 0) return byHlc > 0 ? a : b;
  // The same hlc is the same write; only a misbehaving client sends two values under one hlc.
  // Ties still need a deterministic winner for the merge to be commutative. The value comes last
  // so that the winning meta does not depend on it: a tombstone keeps the meta but not the body.
  if (a.meta.at !== b.meta.at) return a.meta.at < b.meta.at ? a : b;
  if (a.meta.by !== b.meta.by) return a.meta.by < b.meta.by ? a : b;
  return stableCompare(a.value, b.value) >= 0 ? a : b;
}

/**
 * The older of two creations of one entity: its immutable fields are kept. The last tie-break
 * looks only at those fields: the `merged` ones change as writes arrive, so comparing them would
 * make the choice depend on the order of merging.
 */
function origin<T extends { createdAt: number; createdBy?: string; authorId?: string; spaceId: string }>(
  a: T,
  b: T,
  merged: ReadonlyArray<keyof T>,
): T {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? a : b;
  const whoA = a.createdBy ?? a.authorId ?? '';
  const whoB = b.createdBy ?? b.authorId ?? '';
  if (whoA !== whoB) return whoA < whoB ? a : b;
  const kept = (x: T) => Object.entries(x).filter(([key]) => !merged.includes(key as keyof T));
  return stableCompare(kept(a), kept(b)) <= 0 ? a : b;
}

function withDeleteMeta(body: FieldMeta, deleted: FieldMeta | undefined): Message['meta'] {
  return deleted ? { body, deleted } : { body };
}

function maxNullable(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.max(a, b);
}

export function mergeConversation(a: Conversation, b: Conversation): Conversation {
  const base = origin(a, b, ['title', 'archived', 'meta']);
  const title = pickLww({ value: a.title, meta: a.meta.title }, { value: b.title, meta: b.meta.title });
  const archived = pickLww({ value: a.archived, meta: a.meta.archived }, { value: b.archived, meta: b.meta.archived });
  return { ...base, title: title.value, archived: archived.value, meta: { title: title.meta, archived: archived.meta } };
}

/** The earlier of two writes (the first delete of a message), deterministic on ties. */
function firstWrite(a: FieldMeta | undefined, b: FieldMeta | undefined): FieldMeta | undefined {
  if (!a || !b) return a ?? b;
  const first = { value: null, meta: a };
  return pickLww(first, { value: null, meta: b }) === first ? b : a;
}

export function mergeMessage(a: Message, b: Message): Message {
  const base = origin(a, b, ['body', 'editedAt', 'deleted', 'meta']);
  const deleted = a.deleted || b.deleted;
  // A tombstone has lost its body, so once deleted the bodies do not take part in the choice.
  const bodyOf = (m: Message) => (deleted ? '' : m.body);
  const body = pickLww({ value: bodyOf(a), meta: a.meta.body }, { value: bodyOf(b), meta: b.meta.body });
  return {
    ...base,
    body: deleted ? '' : body.value,
    deleted,
    editedAt: maxNullable(a.editedAt, b.editedAt),
    meta: withDeleteMeta(body.meta, firstWrite(a.meta.deleted, b.meta.deleted)),
  };
}

export function mergeSession(a: Session, b: Session): Session {
  const kinds = new Set([...a.activities, ...b.activities]);
  return {
    ...(stableCompare(a, b) <= 0 ? a : b),
    startedAt: Math.min(a.startedAt, b.startedAt),
    endedAt: maxNullable(a.endedAt, b.endedAt),
    lastActivityAt: Math.max(a.lastActivityAt, b.lastActivityAt),
    activities: ACTIVITY_KINDS.filter((k) => kinds.has(k)),
  };
}

const STATUS_RANK: Record<TranscriptStatus, number> = { draft: 0, queued: 1, processing: 2, failed: 3, done: 4 };

/** Whether status `next` is ahead of `current`: a later submission, or further along the same one. */
export function isStatusAhead(
  next: Pick<Transcript, 'submissions' | 'status'>,
  current: Pick<Transcript, 'submissions' | 'status'>,
): boolean {
  if (next.submissions !== current.submissions) return next.submissions > current.submissions;
  return STATUS_RANK[next.status] > STATUS_RANK[current.status];
}

function laterAudio(a: Transcript['audio'], b: Transcript['audio']): Transcript['audio'] {
  if (!a || !b) return a ?? b ?? null;
  if (a.uploadedAt !== b.uploadedAt) return a.uploadedAt > b.uploadedAt ? a : b;
  return a.uploadId >= b.uploadId ? a : b;
}

export function mergeTranscript(a: Transcript, b: Transcript): Transcript {
  const {
    audio: _audio,
    deleted: _deleted,
    ...base
  } = origin(a, b, ['text', 'status', 'submissions', 'result', 'error', 'meta', 'audio', 'deleted']);
  const deleted = a.deleted === true || b.deleted === true;
  const textOf = (t: Transcript) => (deleted ? '' : t.text);
  const text = pickLww({ value: textOf(a), meta: a.meta.text }, { value: textOf(b), meta: b.meta.text });
  let progress: Transcript;
  if (isStatusAhead(a, b)) progress = a;
  else if (isStatusAhead(b, a)) progress = b;
  else progress = stableCompare([a.result, a.error], [b.result, b.error]) >= 0 ? a : b;
  const merged: Transcript = {
    ...base,
    text: text.value,
    meta: { text: text.meta },
    status: progress.status,
    submissions: progress.submissions,
    result: progress.result,
    error: progress.error,
  };
  // Delete wins over any edit, as for messages; a deleted transcript keeps no text and no audio.
  if (deleted) return { ...merged, text: '', deleted: true };
  const audio = laterAudio(a.audio, b.audio);
  return audio ? { ...merged, audio } : merged;
}
