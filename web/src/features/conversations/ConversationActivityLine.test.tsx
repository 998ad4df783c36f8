// @vitest-environment happy-dom
// The unread badge: the exact count, or "99+" once more than UNREAD_SCAN messages follow the read mark.
import { screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { UNREAD_SCAN, type ConversationView } from '../../data/index.ts';
import { en, renderScreen } from '../../testing/render.tsx';
import { ConversationActivityLine } from './ConversationActivityLine.tsx';

const fill = (text: string, vars: Record<string, string | number>) =>
  text.replace(/\{\{(\w+)(, number)?\}\}/g, (_, k: string) => String(vars[k] ?? ''));

const view = (unread: number, unreadCapped: boolean): ConversationView => ({
  id: 'c1',
  spaceId: 's1',
  title: 'Plans',
  createdAt: 1,
  createdBy: 'someone',
  archived: false,
  meta: {
    title: { hlc: '001763980000000:00000:c1', by: 'someone', at: 1 },
    archived: { hlc: '001763980000000:00000:c1', by: 'someone', at: 1 },
  },
  pendingChanges: 0,
  lastMessage: { id: 'm1', authorId: 'someone', body: 'hello', deleted: false, createdAt: 2 },
  unread,
  unreadCapped,
  lastActivityAt: 2,
  readUpTo: 0,
});

describe('ConversationActivityLine', () => {
  it('shows the exact unread count', async () => {
    await renderScreen(<ConversationActivityLine conversation={view(3, false)} />, { signedIn: 'ana@example.com' });
    expect(screen.getByText('3')).toBeTruthy();
    expect(screen.getByText(fill(en.everyday.list.unread_other, { count: 3 }))).toBeTruthy();
  });

  it('shows 99+ when more messages follow the read mark than were counted', async () => {
    await renderScreen(<ConversationActivityLine conversation={view(UNREAD_SCAN, true)} />, { signedIn: 'ana@example.com' });
    expect(screen.getByText(fill(en.everyday.list.unreadMoreBadge, { count: UNREAD_SCAN }))).toBeTruthy();
    expect(screen.getByText(fill(en.everyday.list.unreadMore, { count: UNREAD_SCAN }))).toBeTruthy();
  });
});
