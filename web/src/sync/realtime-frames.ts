/**
 * The frames of GET /api/sync/ws (docs/protocol.md, "Real time"), validated by hand: the web
 * package has no zod of its own and shared has no realtime schemas yet (the server keeps its
 * client-frame schema in ws-server.ts). Moving both directions into shared is the better home.
 */

export const REALTIME_PATH = '/api/sync/ws';
/** The server closes with this for a bad token or a missing auth frame. */
export const CLOSE_UNAUTHORIZED = 4401;
/** A malformed frame; the server uses it for ours, we use it for the server's. */
export const CLOSE_BAD_FRAME = 4400;
/** The same bound the server puts on ids in client frames. */
const MAX_ID_LENGTH = 64;

export type PresenceState = 'online' | 'offline' | 'typing';

export type ServerFrame =
  | { type: 'poke' }
  | { type: 'presence'; userId: string; state: PresenceState; conversationId?: string };

export type ClientFrame = { type: 'auth'; token: string } | { type: 'typing'; conversationId: string };

/**
 * What an incoming frame is: a known frame, `unknown` for a well-formed frame of a type this
 * version does not know (ignored, so a newer server can add frames), or `invalid`.
 */
export type ParsedFrame = { kind: 'frame'; frame: ServerFrame } | { kind: 'unknown' } | { kind: 'invalid' };

const isId = (value: unknown): value is string => typeof value === 'string' && value.length > 0 && value.length <= MAX_ID_LENGTH;
const isPresenceState = (value: unknown): value is PresenceState => value === 'online' || value === 'offline' || value === 'typing';

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
  if (record.type === 'poke') return { kind: 'frame', frame: { type: 'poke' } };
  if (record.type !== 'presence') return { kind: 'unknown' };
  const { userId, state, conversationId } = record;
  if (!isId(userId) || !isPresenceState(state)) return { kind: 'invalid' };
  if (conversationId !== undefined && !isId(conversationId)) return { kind: 'invalid' };
  // A typing frame names its conversation; online and offline do not need one.
  if (state === 'typing' && conversationId === undefined) return { kind: 'invalid' };
  return { kind: 'frame', frame: { type: 'presence', userId, state, ...(conversationId !== undefined ? { conversationId } : {}) } };
}

export function isValidConversationId(id: string): boolean {
  return isId(id);
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
