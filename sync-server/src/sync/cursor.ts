/**
 * Pull cursors: for one user, the last version seen in each space. Opaque to clients
 * (base64url JSON); one that does not decode, or was made for another user, means "start over".
 */
import { z } from 'zod';

const CursorSchema = z.object({ u: z.string(), v: z.record(z.string(), z.number().int().nonnegative()) });

export interface Cursor {
  userId: string;
  versions: Map<string, number>;
}

export function encodeCursor(cursor: Cursor): string {
  const body = { u: cursor.userId, v: Object.fromEntries([...cursor.versions].sort(([a], [b]) => (a < b ? -1 : 1))) };
  return Buffer.from(JSON.stringify(body)).toString('base64url');
}

/** The cursor's versions, or null when it cannot be used for this user. */
export function decodeCursor(value: string, userId: string): Cursor | null {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(value, 'base64url').toString('utf8')));
    if (!parsed.success || parsed.data.u !== userId) return null;
    return { userId, versions: new Map(Object.entries(parsed.data.v)) };
  } catch {
    return null;
  }
}
