import { describe, expect, it } from 'vitest';
import { readMarkId, type Message, type ReadMark } from '@duet/shared';
import { conversationActivity, messagesByConversation } from './conversation-activity.ts';

const HLC = '001763980000000:00000:c1';
const message = (id: string, authorId: string, createdAt: number, extra: Partial<Message> = {}): Message => ({
  id,
  spaceId: 's',
  conversationId: 'k1',
  authorId,
  body: `body of ${id}`,
  createdAt,
  editedAt: null,
  deleted: false,
  meta: { body: { hlc: HLC, by: authorId, at: createdAt } },
  ...extra,
});

describe('conversationActivity', () => {
  const conversation = { id: 'k1', createdAt: 100 };

  it('counts the partner’s messages after the read mark, never one’s own or deleted ones', () => {
    const messages = [
      message('a', 'sam', 200),
      message('b', 'me', 300),
      message('c', 'sam', 400),
      message('d', 'sam', 500, { deleted: true, body: '' }),
      message('e', 'sam', 600),
    ];
    const marks = new Map<string, ReadMark>([
      [readMarkId('me', 'k1'), { id: readMarkId('me', 'k1'), spaceId: 'p', userId: 'me', conversationId: 'k1', readUpTo: 300 }],
    ]);
    expect(conversationActivity(conversation, messages, 'me', marks)).toEqual({
      lastMessage: { id: 'e', authorId: 'sam', body: 'body of e', deleted: false, createdAt: 600 },
      unread: 2,
      lastActivityAt: 600,
      readUpTo: 300,
    });
    // With no mark, everything of the partner is unread.
    expect(conversationActivity(conversation, messages, 'me', new Map()).unread).toBe(3);
  });

  it('shows a deleted last message without its text, and a conversation without messages by its creation', () => {
    const last = conversationActivity(conversation, [message('a', 'sam', 200, { deleted: true, body: '' })], 'me', new Map());
    expect(last.lastMessage).toMatchObject({ deleted: true, body: '' });
    expect(conversationActivity(conversation, [], 'me', new Map())).toEqual({
      lastMessage: null,
      unread: 0,
      lastActivityAt: 100,
      readUpTo: 0,
    });
  });

  it('groups messages by conversation in (createdAt, id) order', () => {
    const groups = messagesByConversation([message('b', 'x', 2), message('a', 'x', 2), message('z', 'x', 1, { conversationId: 'k2' })]);
    expect(groups.get('k1')?.map((m) => m.id)).toEqual(['a', 'b']);
    expect(groups.get('k2')?.map((m) => m.id)).toEqual(['z']);
  });
});
