/**
 * What the conversation list shows about each conversation's messages: the last message (for a
 * preview), how many of the partner's messages the person has not read, and when it last had
 * activity (for newest-first order). Read from the local view, so it works offline.
 *
 * The list re-reads this after every pulled page and every local write, so it reads a bounded
 * number of records whatever a conversation holds: the last message, and at most UNREAD_SCAN + 1
 * messages after the read mark (more than UNREAD_SCAN unread shows as "99+"). Reading every
 * message instead made the first sync of 10,000 messages quadratic.
 */
import { entitySchemas, readMarkId, type Message, type ReadMark } from '@duet/shared';
import type { StorageTx } from '../sync/storage.ts';

/** How many messages after the read mark are counted, at most. */
export const UNREAD_SCAN = 99;

export interface LastMessageView {
  id: string;
  authorId: string;
  /** The whole body (the UI cuts its preview); empty for a deleted message. */
  body: string;
  deleted: boolean;
  createdAt: number;
}

export interface ConversationActivity {
  lastMessage: LastMessageView | null;
  /** Others' messages, not deleted, created after the person's read mark (counted among the first UNREAD_SCAN after it). */
  unread: number;
  /** More than UNREAD_SCAN messages came after the read mark: `unread` is a lower bound ("99+"). */
  unreadCapped: boolean;
  /** The last message's time, or the conversation's creation when it has none. */
  lastActivityAt: number;
  /** How far the person has read (0: nothing yet). */
  readUpTo: number;
}

/** Records that parse as messages; one that does not (older version, corrupted) is left out. */
function messages(records: readonly unknown[]): Message[] {
  const out: Message[] = [];
  for (const record of records) {
    const parsed = entitySchemas.message.safeParse(record);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

export async function readConversationActivity(
  tx: StorageTx,
  conversation: { id: string; createdAt: number },
  userId: string | null,
  readMarks: ReadonlyMap<string, ReadMark>,
): Promise<ConversationActivity> {
  const readUpTo = userId ? (readMarks.get(readMarkId(userId, conversation.id))?.readUpTo ?? 0) : 0;
  const [lastRecords, afterMark] = await Promise.all([
    tx.getAllByIndex('messages', 'byConversation', conversation.id, { last: 1 }),
    tx.getAllByIndex('messages', 'byConversation', conversation.id, { after: [readUpTo], limit: UNREAD_SCAN + 1 }),
  ]);
  const last = messages(lastRecords)[0];
  const counted = messages(afterMark.slice(0, UNREAD_SCAN));
  let unread = 0;
  for (const m of counted) if (!m.deleted && m.authorId !== userId) unread += 1;
  return {
    lastMessage: last
      ? { id: last.id, authorId: last.authorId, body: last.deleted ? '' : last.body, deleted: last.deleted, createdAt: last.createdAt }
      : null,
    unread,
    unreadCapped: afterMark.length > UNREAD_SCAN,
    lastActivityAt: Math.max(conversation.createdAt, last?.createdAt ?? 0),
    readUpTo,
  };
}
