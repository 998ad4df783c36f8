// @vitest-environment happy-dom
// The notification list and its quiet badge, over a real client whose fake server made the notifications.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Notification } from '@duet/shared';
import { en, renderScreen } from '../../testing/render.tsx';
import { NotificationsMenu } from './NotificationsMenu.tsx';

const fill = (text: string, vars: Record<string, string | number>) =>
  text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => String(vars[k] ?? ''));

function note(id: string, spaceId: string, type: Notification['type'], at: number): Notification {
  return { id, spaceId, type, actorId: 'ben', actorName: 'Ben', transcriptId: type === 'analysis_done' ? 't1' : null, at, readAt: null };
}

describe('NotificationsMenu', () => {
  it('shows a badge with the unread count; opening the list shows them newest first and marks them read on every device', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<NotificationsMenu />, { signedIn: 'ana@example.com' });
    h.server.putNotification(note('n1', h.spaceId, 'invite_accepted', h.server.now - 60_000));
    h.server.putNotification(note('n2', h.spaceId, 'partner_recording', h.server.now));
    await h.client.engine.syncNow();

    const button = screen.getByRole('button', { name: new RegExp(en.notifications.button) });
    expect(await screen.findByLabelText(fill(en.notifications.unread_other, { count: 2 }))).toBeTruthy();
    expect(button.getAttribute('aria-expanded')).toBe('false');

    await user.click(button);
    const list = screen.getByRole('list', { name: en.notifications.title });
    const items = [...list.querySelectorAll('li')].map((li) => li.querySelector('span')?.textContent);
    expect(items).toEqual([
      fill(en.notifications.type.partner_recording, { name: 'Ben' }),
      fill(en.notifications.type.invite_accepted, { name: 'Ben' }),
    ]);
    // Still marked new while the list is open, though read by now.
    expect(screen.getAllByText(en.notifications.new)).toHaveLength(2);
    await waitFor(async () => expect((await h.client.read.notifications()).every((n) => n.readAt !== null)).toBe(true));
    expect(screen.queryByLabelText(fill(en.notifications.unread_other, { count: 2 }))).toBeNull();

    // Synced: the server has them read too.
    await h.client.engine.syncNow();
    expect(h.server.entity('notification', 'n1')?.readAt).toEqual(expect.any(Number));
    expect(h.server.entity('notification', 'n2')?.readAt).toEqual(expect.any(Number));

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('list', { name: en.notifications.title })).toBeNull();
    expect(document.activeElement).toBe(button);
  });

  it('says there is nothing new when the list is empty', async () => {
    const user = userEvent.setup();
    await renderScreen(<NotificationsMenu />, { signedIn: 'ana@example.com' });
    await user.click(screen.getByRole('button', { name: en.notifications.button }));
    expect(screen.getByText(en.notifications.empty)).toBeTruthy();
  });
});
