/** The frames of GET /api/sync/ws, both directions, one schema each (docs/protocol.md, "Real time"). */
import { z } from 'zod';
import { IdSchema } from './ids.ts';
import { StorableString } from './text.ts';

export const REALTIME_PATH = '/api/sync/ws';
/** Closes a socket whose token is bad, or whose first frame is not an auth frame. */
export const CLOSE_UNAUTHORIZED = 4401;
/** Closes a socket that sent a malformed frame. */
export const CLOSE_BAD_FRAME = 4400;

export const AuthFrameSchema = z.object({ type: z.literal('auth'), token: StorableString.max(500) });
export const TypingFrameSchema = z.object({ type: z.literal('typing'), conversationId: IdSchema });
/** What a person is doing, shared with partners while they choose to share it (never stored as synced data). */
export const ActivitySchema = z.enum(['recording', 'reviewing', 'idle']);
export type Activity = z.infer<typeof ActivitySchema>;
/** What this device is doing; `null`: the person does not share their activity (partners see online and last seen only). */
export const ActivityFrameSchema = z.object({ type: z.literal('activity'), activity: ActivitySchema.nullable() });
export const ClientFrameSchema = z.discriminatedUnion('type', [AuthFrameSchema, TypingFrameSchema, ActivityFrameSchema]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export const PresenceStateSchema = z.enum(['online', 'offline', 'typing']);
export type PresenceState = z.infer<typeof PresenceStateSchema>;

export const PokeFrameSchema = z.object({ type: z.literal('poke') });
export const PresenceFrameSchema = z
  .object({
    type: z.literal('presence'),
    userId: z.string().min(1).max(64),
    state: PresenceStateSchema,
    conversationId: IdSchema.optional(),
    /** On `online`: what the partner is doing, when they share it. */
    activity: ActivitySchema.optional(),
    /** On `offline`: when the partner's last device was last heard from (server ms), when known. */
    lastSeen: z.number().int().nonnegative().optional(),
  })
  .refine((f) => f.state !== 'typing' || f.conversationId !== undefined, 'a typing frame names its conversation');

export const JOB_STATUSES = ['queued', 'processing', 'done', 'failed'] as const;
/**
 * A transcript's analysis job, pushed to the devices of its space's members while it runs (the
 * transcript's synced `status` follows on the next pull). `progress`: 0..1 while processing.
 */
export const JobFrameSchema = z.object({
  type: z.literal('job'),
  transcriptId: IdSchema,
  /** The transcript's submission this job is for (its `submissions` count). */
  submission: z.number().int().nonnegative(),
  status: z.enum(JOB_STATUSES),
  progress: z.number().min(0).max(1).optional(),
});
export type JobFrame = z.infer<typeof JobFrameSchema>;
export const ServerFrameSchema = z.union([PokeFrameSchema, PresenceFrameSchema, JobFrameSchema]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
