// @vitest-environment happy-dom
// System notifications: off by default, permission asked only when the person turns them on, a
// refusal said in plain words; and, once on, a notification for a partner's message while hidden.
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { en, renderScreen } from '../../testing/render.tsx';
import { setPreference } from '../../app/preferences.ts';
import { useSystemNotifications } from '../../app/use-system-notifications.ts';
import { NotificationsSection } from './NotificationsSection.tsx';

class FakeNotification {
  static permission: NotificationPermission = 'default';
  static answer: NotificationPermission = 'granted';
  static created: Array<{ title: string; options: NotificationOptions | undefined }> = [];
  static requestPermission = vi.fn(async () => {
    FakeNotification.permission = FakeNotification.answer;
    return FakeNotification.answer;
  });
  onclick: (() => void) | null = null;
  constructor(title: string, options?: NotificationOptions) {
    FakeNotification.created.push({ title, options });
  }
  close(): void {}
}

let visibility: DocumentVisibilityState = 'visible';
function setVisibility(state: DocumentVisibilityState): void {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  FakeNotification.permission = 'default';
  FakeNotification.answer = 'granted';
  FakeNotification.created = [];
  FakeNotification.requestPermission.mockClear();
  vi.stubGlobal('Notification', FakeNotification);
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
  visibility = 'visible';
  setPreference('systemNotifications', false);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('NotificationsSection', () => {
  it('is off by default and asks for permission only when turned on', async () => {
    const user = userEvent.setup();
    await renderScreen(<NotificationsSection />, { signedIn: 'ana@example.com' });
    const box = screen.getByRole('checkbox', { name: en.notifications.system });
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
    await user.click(box);
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    await waitFor(() => expect((box as HTMLInputElement).checked).toBe(true));
    await user.click(box);
    expect((box as HTMLInputElement).checked).toBe(false);
  });

  it('stays off and says why when the browser refuses', async () => {
    FakeNotification.answer = 'denied';
    const user = userEvent.setup();
    await renderScreen(<NotificationsSection />, { signedIn: 'ana@example.com' });
    await user.click(screen.getByRole('checkbox', { name: en.notifications.system }));
    expect((await screen.findByRole('alert')).textContent).toBe(en.notifications.denied);
    expect(screen.getByRole<HTMLInputElement>('checkbox', { name: en.notifications.system }).checked).toBe(false);
  });
});

function SystemNotifications() {
  useSystemNotifications();
  return null;
}

describe('useSystemNotifications', () => {
  it("shows one for a partner's new message only while the app is hidden and the setting is on", async () => {
    FakeNotification.permission = 'granted';
    const h = await renderScreen(<SystemNotifications />, { signedIn: 'ana@example.com' });
    h.server.putSpace({
      id: 'shared-1',
      kind: 'shared',
      members: [
        { userId: 'ana', displayName: 'Ana' },
        { userId: 'ben', displayName: 'Ben' },
      ],
    });
    await h.server.applyAs('ben', {
      name: 'conversation.create',
      args: { id: 'c1', spaceId: 'shared-1', title: 'Us' },
      hlc: '001763980000500:00000:ben-phone',
    });
    const say = (id: string, body: string, n: number) =>
      h.server.applyAs('ben', {
        name: 'message.add',
        args: { id, conversationId: 'c1', body },
        hlc: `${String(1_763_980_000_600 + n).padStart(15, '0')}:00000:ben-phone`,
      });

    // Setting off: nothing, hidden or not.
    setVisibility('hidden');
    await say('m1', 'first', 1);
    await act(() => h.client.engine.syncNow());
    expect(FakeNotification.created).toEqual([]);

    act(() => setPreference('systemNotifications', true));
    // Visible: nothing either.
    setVisibility('visible');
    await say('m2', 'second', 2);
    await act(() => h.client.engine.syncNow());
    expect(FakeNotification.created).toEqual([]);

    setVisibility('hidden');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await say('m3', 'Dinner at eight?', 3);
    await act(() => h.client.engine.syncNow());
    await waitFor(() => expect(FakeNotification.created).toHaveLength(1));
    expect(FakeNotification.created[0]).toEqual({
      title: en.notifications.systemMessage.replace('{{name}}', 'Ben'),
      options: expect.objectContaining({ body: 'Dinner at eight?', tag: 'message-c1' }),
    });
  });
});
