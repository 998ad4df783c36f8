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
export const ClientFrameSchema = z.discriminatedUnion('type', [AuthFrameSchema, TypingFrameSchema]);
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
  })
  .refine((f) => f.state !== 'typing' || f.conversationId !== undefined, 'a typing frame names its conversation');
export const ServerFrameSchema = z.union([PokeFrameSchema, PresenceFrameSchema]);
export type ServerFrame = z.infer<typeof ServerFrameSchema>;
