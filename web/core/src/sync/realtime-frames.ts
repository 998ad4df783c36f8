/** The frames of GET /api/sync/ws (docs/protocol.md, "Real time"): schemas in shared, used by both sides. */
import { IdSchema, REALTIME_PATH, ServerFrameSchema } from '@duet/shared';
import type { ClientFrame, ServerFrame } from '@duet/shared';

export { CLOSE_BAD_FRAME, CLOSE_UNAUTHORIZED, REALTIME_PATH } from '@duet/shared';
export type { Activity, ClientFrame, JobFrame, PresenceState, ServerFrame } from '@duet/shared';

/**
 * What an incoming frame is: a known frame, `unknown` for a well-formed frame of a type this
 * version does not know (ignored, so a newer server can add frames), or `invalid`.
 */
export type ParsedFrame = { kind: 'frame'; frame: ServerFrame } | { kind: 'unknown' } | { kind: 'invalid' };

export function parseServerFrame(data: unknown): ParsedFrame {
  if (typeof data !== 'string') return { kind: 'invalid' };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { kind: 'invalid' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'invalid' };
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string') return { kind: 'invalid' };
  if (record.type !== 'poke' && record.type !== 'presence' && record.type !== 'job') return { kind: 'unknown' };
  const parsed = ServerFrameSchema.safeParse(record);
  return parsed.success ? { kind: 'frame', frame: parsed.data } : { kind: 'invalid' };
}

/** The schema the server checks a typing frame's conversation against (TypingFrameSchema). */
export function isValidConversationId(id: string): boolean {
  return IdSchema.safeParse(id).success;
}

export function encodeClientFrame(frame: ClientFrame): string {
  return JSON.stringify(frame);
}

/**
 * The socket URL: from `baseUrl` when it is absolute (http -> ws, https -> wss), else from the
 * page's location; null where neither is known (Node clients without a base URL).
 */
export function realtimeUrl(baseUrl: string, location?: { protocol: string; host: string }): string | null {
  if (/^https?:\/\//i.test(baseUrl)) {
    const url = new URL(baseUrl);
    const scheme = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return `${scheme}//${url.host}${url.pathname.replace(/\/+$/, '')}${REALTIME_PATH}`;
  }
  if (!location) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${baseUrl.replace(/\/+$/, '')}${REALTIME_PATH}`;
}
