/** The entities that pulls deliver (`changes[].data`), as zod schemas with inferred types. */
import { z } from 'zod';
import { HLC_PATTERN } from './hlc.ts';
import { IdSchema } from './ids.ts';

const HlcString = z.string().regex(HLC_PATTERN);

/** Who last wrote a last-writer-wins field, by which hlc, and when the server took it (ms). */
export const FieldMetaSchema = z.object({ hlc: HlcString, by: z.string(), at: z.number() });
export type FieldMeta = z.infer<typeof FieldMetaSchema>;

export const SpaceKindSchema = z.enum(['personal', 'shared']);
export const SpaceSchema = z.object({
  id: IdSchema,
  kind: SpaceKindSchema,
  members: z.array(z.object({ userId: z.string(), displayName: z.string() })),
});
export type Space = z.infer<typeof SpaceSchema>;

export const ConversationSchema = z.object({
  id: IdSchema,
  spaceId: IdSchema,
  title: z.string(),
  archived: z.boolean(),
  createdBy: z.string(),
  createdAt: z.number(),
  meta: z.object({ title: FieldMetaSchema, archived: FieldMetaSchema }),
});
export type Conversation = z.infer<typeof ConversationSchema>;

export const MessageSchema = z.object({
  id: IdSchema,
  spaceId: IdSchema,
  conversationId: IdSchema,
  authorId: z.string(),
  body: z.string(),
  createdAt: z.number(),
  editedAt: z.number().nullable(),
  deleted: z.boolean(),
  /**
   * The message of the same conversation this one replies to (set once, when added). The reply
   * names it and never copies its text, so deleting the original leaves the reply saying so.
   */
  replyTo: IdSchema.nullable().optional(),
  /** `deleted`: the first delete (the one that made the tombstone), when it is deleted. */
  meta: z.object({ body: FieldMetaSchema, deleted: FieldMetaSchema.optional() }),
});
export type Message = z.infer<typeof MessageSchema>;

export const ACTIVITY_KINDS = ['chat', 'transcript', 'review', 'browse'] as const;
export const ActivityKindSchema = z.enum(ACTIVITY_KINDS);
export type ActivityKind = z.infer<typeof ActivityKindSchema>;

export const SessionSchema = z.object({
  id: IdSchema,
  spaceId: IdSchema,
  userId: z.string(),
  startedAt: z.number(),
  endedAt: z.number().nullable(),
  lastActivityAt: z.number(),
  activities: z.array(ActivityKindSchema),
});
export type Session = z.infer<typeof SessionSchema>;

export const TRANSCRIPT_STATUSES = ['draft', 'queued', 'processing', 'done', 'failed'] as const;
export const TranscriptStatusSchema = z.enum(TRANSCRIPT_STATUSES);
export type TranscriptStatus = z.infer<typeof TranscriptStatusSchema>;

/** Audio recorded with a transcript, once its upload finished on the server. */
export const TranscriptAudioSchema = z.object({
  uploadId: z.string(),
  size: z.number().int().nonnegative(),
  mimeType: z.string(),
  uploadedAt: z.number(),
});
export type TranscriptAudio = z.infer<typeof TranscriptAudioSchema>;

export const TranscriptSchema = z.object({
  id: IdSchema,
  spaceId: IdSchema,
  conversationId: IdSchema.nullable(),
  createdBy: z.string(),
  createdAt: z.number(),
  text: z.string(),
  language: z.string(),
  durationMs: z.number().nullable(),
  status: TranscriptStatusSchema,
  /** How many times it was submitted; status only moves forward within one submission. */
  submissions: z.number().int().nonnegative(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  meta: z.object({ text: FieldMetaSchema }),
  /** Set by the server when an audio upload for it completes. */
  audio: TranscriptAudioSchema.nullable().optional(),
  /** A deleted transcript is a tombstone: empty text, no audio. */
  deleted: z.boolean().optional(),
});
export type Transcript = z.infer<typeof TranscriptSchema>;

export const ConflictSchema = z.object({
  id: z.string(),
  entityKind: z.enum(['conversation', 'message', 'transcript']),
  entityId: IdSchema,
  field: z.enum(['title', 'archived', 'body', 'text', 'deleted']),
  yourValue: z.unknown(),
  winningValue: z.unknown(),
  yourHlc: HlcString,
  winningHlc: HlcString,
  winningBy: z.string(),
  at: z.number(),
  /** The personal space it is kept in (absent on conflicts recorded before resolutions were synced). */
  spaceId: IdSchema.optional(),
  /** Set once by `conflict.resolve`: the person restored their version or dismissed the notice, on any device. */
  resolution: z.enum(['restored', 'dismissed']).optional(),
  resolvedAt: z.number().optional(),
});
export type Conflict = z.infer<typeof ConflictSchema>;

export const NOTIFICATION_TYPES = ['partner_recording', 'analysis_done', 'invite_accepted'] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/**
 * A partner event for one person, made by the server in their personal space (so only their
 * devices pull it); read on any device with `notification.read`.
 */
export const NotificationSchema = z.object({
  id: IdSchema,
  /** The recipient's personal space. */
  spaceId: IdSchema,
  type: z.enum(NOTIFICATION_TYPES),
  /** Who did it (the partner) and their name then, when someone did. */
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  /** The transcript it is about (`analysis_done`). */
  transcriptId: IdSchema.nullable(),
  /** Server ms when it happened. */
  at: z.number(),
  /** Server ms when the person read it on any device; null while unread. */
  readAt: z.number().nullable(),
});
export type Notification = z.infer<typeof NotificationSchema>;

/**
 * How far one person has read one conversation: the newest message time they have seen. Kept in
 * their personal space (their devices share it, the partner never sees it); moves only forward.
 */
export const ReadMarkSchema = z.object({
  /** readMarkId(userId, conversationId). */
  id: z.string(),
  spaceId: IdSchema,
  userId: z.string(),
  conversationId: IdSchema,
  /** Messages created at or before this time (ms, the message's createdAt) have been read. */
  readUpTo: z.number(),
});
export type ReadMark = z.infer<typeof ReadMarkSchema>;

/** The one read mark of a person in a conversation (user ids and conversation ids hold no '~'). */
export function readMarkId(userId: string, conversationId: string): string {
  return `${userId}~${conversationId}`;
}

export const ENTITY_KINDS = ['space', 'conversation', 'message', 'session', 'transcript', 'conflict', 'notification', 'readMark'] as const;
export const EntityKindSchema = z.enum(ENTITY_KINDS);
export type EntityKind = z.infer<typeof EntityKindSchema>;

/** The one spelling of an entity's key, "kind/id", wherever entities are held by key (ids hold no '/'). */
export function entityKey(kind: EntityKind, id: string): string {
  return `${kind}/${id}`;
}

export interface EntityByKind {
  space: Space;
  conversation: Conversation;
  message: Message;
  session: Session;
  transcript: Transcript;
  conflict: Conflict;
  notification: Notification;
  readMark: ReadMark;
}

export const entitySchemas = {
  space: SpaceSchema,
  conversation: ConversationSchema,
  message: MessageSchema,
  session: SessionSchema,
  transcript: TranscriptSchema,
  conflict: ConflictSchema,
  notification: NotificationSchema,
  readMark: ReadMarkSchema,
} as const;
