import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { readMarkId, type Message, type ReadMark } from '@duet/shared';
import { storageFactories } from '../sync/testing/storages.ts';
import { readConversationActivity, UNREAD_SCAN } from './conversation-activity.ts';

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

describe.each(storageFactories)('readConversationActivity (%s)', (_name, factory) => {
  const conversation = { id: 'k1', createdAt: 100 };

  async function activityOf(messages: readonly Message[], marks: ReadonlyMap<string, ReadMark> = new Map()) {
    const { storage } = await factory.open();
    try {
      await storage.write(async (tx) => {
        for (const m of messages) await tx.put('messages', m);
      });
      return await storage.read((tx) => readConversationActivity(tx, conversation, 'me', marks));
    } finally {
      storage.close();
    }
  }

  it('counts the partner’s messages after the read mark, never one’s own or deleted ones', async () => {
    const messages = [
      message('a', 'sam', 200),
      message('b', 'me', 300),
      message('c', 'sam', 400),
      message('d', 'sam', 500, { deleted: true, body: '' }),
      message('e', 'sam', 600),
      // Another conversation's message never counts.
      message('z', 'sam', 700, { conversationId: 'k2' }),
    ];
    const marks = new Map<string, ReadMark>([
      [readMarkId('me', 'k1'), { id: readMarkId('me', 'k1'), spaceId: 'p', userId: 'me', conversationId: 'k1', readUpTo: 300 }],
    ]);
    expect(await activityOf(messages, marks)).toEqual({
      lastMessage: { id: 'e', authorId: 'sam', body: 'body of e', deleted: false, createdAt: 600 },
      unread: 2,
      unreadCapped: false,
      lastActivityAt: 600,
      readUpTo: 300,
    });
    // With no mark, everything of the partner is unread.
    expect((await activityOf(messages)).unread).toBe(3);
  });

  it('shows a deleted last message without its text, and a conversation without messages by its creation', async () => {
    const last = await activityOf([message('a', 'sam', 200, { deleted: true, body: '' })]);
    expect(last.lastMessage).toMatchObject({ deleted: true, body: '' });
    expect(await activityOf([])).toEqual({
      lastMessage: null,
      unread: 0,
      unreadCapped: false,
      lastActivityAt: 100,
      readUpTo: 0,
    });
  });

  it('takes the last message in (createdAt, id) order', async () => {
    const activity = await activityOf([message('b', 'sam', 2), message('a', 'sam', 2), message('c', 'sam', 1)]);
    expect(activity.lastMessage?.id).toBe('b');
  });

  it('counts at most UNREAD_SCAN messages after the mark and says there are more', async () => {
    const many = Array.from({ length: UNREAD_SCAN + 5 }, (_, i) => message(`m${String(i).padStart(4, '0')}`, 'sam', 1000 + i));
    const activity = await activityOf(many);
    expect(activity).toMatchObject({ unread: UNREAD_SCAN, unreadCapped: true, lastActivityAt: 1000 + UNREAD_SCAN + 4 });
    expect((await activityOf(many.slice(0, UNREAD_SCAN))).unreadCapped).toBe(false);
  });

  it('leaves out a stored record that is not a message', async () => {
    const broken = { ...message('x', 'sam', 900), body: 42 } as unknown as Message;
    const activity = await activityOf([message('a', 'sam', 200), broken]);
    expect(activity.lastMessage).toBeNull();
    expect(activity.unread).toBe(1);
  });
});
