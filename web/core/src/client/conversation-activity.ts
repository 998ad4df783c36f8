/**
 * What the conversation list shows about each conversation's messages: the last message (for a
 * preview), how many of the partner's messages the person has not read, and when it last had
 * activity (for newest-first order). Computed from the local view, so it works offline.
 */
import type { Message, ReadMark } from '@duet/shared';
import { readMarkId } from '@duet/shared';

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
  /** Others' messages, not deleted, created after the person's read mark. */
  unread: number;
  /** The last message's time, or the conversation's creation when it has none. */
  lastActivityAt: number;
  /** How far the person has read (0: nothing yet). */
  readUpTo: number;
}

/** Messages grouped by conversation, each group in (createdAt, id) order. */
export function messagesByConversation(messages: readonly Message[]): Map<string, Message[]> {
  const groups = new Map<string, Message[]>();
  for (const m of messages) {
    const group = groups.get(m.conversationId);
    if (group) group.push(m);
    else groups.set(m.conversationId, [m]);
  }
  for (const group of groups.values()) group.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return groups;
}

export function conversationActivity(
  conversation: { id: string; createdAt: number },
  messages: readonly Message[],
  userId: string | null,
  readMarks: ReadonlyMap<string, ReadMark>,
): ConversationActivity {
  const last = messages.at(-1);
  const readUpTo = userId ? (readMarks.get(readMarkId(userId, conversation.id))?.readUpTo ?? 0) : 0;
  let unread = 0;
  for (const m of messages) if (!m.deleted && m.authorId !== userId && m.createdAt > readUpTo) unread += 1;
  return {
    lastMessage: last
      ? { id: last.id, authorId: last.authorId, body: last.deleted ? '' : last.body, deleted: last.deleted, createdAt: last.createdAt }
      : null,
    unread,
    lastActivityAt: Math.max(conversation.createdAt, last?.createdAt ?? 0),
    readUpTo,
  };
}
