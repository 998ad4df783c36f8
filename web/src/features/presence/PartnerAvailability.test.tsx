// @vitest-environment happy-dom
// What a partner's availability looks like where their name is: doing what, online, last seen,
// and nothing while the socket is not connected; and the setting that stops sharing it.
import { act, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { FakeSocket, clientHarness } from '@duet/client/testing';
import { en, renderScreen } from '../../testing/render.tsx';
import { useActivitySharing } from '../../app/use-activity-sharing.ts';
import { setPreference } from '../../app/preferences.ts';
import { ActivitySharingSection } from '../settings/ActivitySharingSection.tsx';
import { PartnerAvailability } from './PartnerAvailability.tsx';

const BEN = { userId: 'ben', displayName: 'Ben' };
const fill = (text: string, vars: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, k: string) => vars[k] ?? '');

async function connected(ui: React.ReactElement) {
  FakeSocket.all = [];
  const harness = clientHarness({ realtime: { url: 'ws://duet.test/api/sync/ws', WebSocket: FakeSocket } });
  const rendered = await renderScreen(ui, { signedIn: 'ana@example.com', harness });
  // The harness does not auto-start: the socket is connected by hand, as sign-in would.
  harness.client.realtime.start('token');
  const socket = FakeSocket.latest();
  act(() => {
    socket.open();
    socket.receive({ type: 'poke' });
  });
  return { ...rendered, socket };
}

describe('PartnerAvailability', () => {
  it('shows nothing until the socket is connected', async () => {
    await renderScreen(<PartnerAvailability partners={[BEN]} />, { signedIn: 'ana@example.com' });
    expect(screen.queryByRole('list', { name: en.conversation.presenceLabel })).toBeNull();
  });

  it('says what the partner is doing, online when idle, and when they were last seen', async () => {
    const { socket } = await connected(<PartnerAvailability partners={[BEN]} />);
    const list = await screen.findByRole('list', { name: en.conversation.presenceLabel });
    expect(list.textContent).toBe(fill(en.conversation.partnerOffline, { name: 'Ben' }));

    act(() => socket.receive({ type: 'presence', userId: 'ben', state: 'online', activity: 'recording' }));
    expect(await screen.findByText(fill(en.presence.activity.recording, { name: 'Ben' }))).toBeTruthy();
    act(() => socket.receive({ type: 'presence', userId: 'ben', state: 'online', activity: 'reviewing' }));
    expect(await screen.findByText(fill(en.presence.activity.reviewing, { name: 'Ben' }))).toBeTruthy();
    act(() => socket.receive({ type: 'presence', userId: 'ben', state: 'online', activity: 'idle' }));
    expect(await screen.findByText(fill(en.conversation.partnerOnline, { name: 'Ben' }))).toBeTruthy();

    act(() => socket.receive({ type: 'presence', userId: 'ben', state: 'offline', lastSeen: Date.now() - 5 * 60_000 }));
    expect(await screen.findByText(fill(en.presence.lastSeen, { name: 'Ben', when: '5 minutes ago' }))).toBeTruthy();
  });
});

function SettingsWithSharing() {
  useActivitySharing();
  return <ActivitySharingSection />;
}

describe('ActivitySharingSection', () => {
  it('is on by default; turning it off tells the server this device shares nothing, turning it on shares again', async () => {
    setPreference('shareActivity', true);
    const user = userEvent.setup();
    const { socket } = await connected(<SettingsWithSharing />);
    const box = screen.getByRole('checkbox', { name: en.presence.share });
    expect((box as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(socket.sent).toContainEqual({ type: 'activity', activity: 'idle' }));

    await user.click(box);
    expect((box as HTMLInputElement).checked).toBe(false);
    expect(socket.sent.at(-1)).toEqual({ type: 'activity', activity: null });
    expect(JSON.parse(localStorage.getItem('duet.preferences') ?? '{}')).toMatchObject({ shareActivity: false });

    await user.click(box);
    expect(socket.sent.at(-1)).toEqual({ type: 'activity', activity: 'idle' });
  });
});
