// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { en, renderScreen } from '../../testing/render.tsx';
import { SignOutSection } from './SignOutSection.tsx';

const recording = () => ({ blob: new Blob([new Uint8Array(16)], { type: 'audio/webm' }), mimeType: 'audio/webm', durationMs: 900 });

describe('SignOutSection', () => {
  it('with nothing waiting, signs out and clears the device, recordings included', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<SignOutSection />, { signedIn: 'ana@example.com' });
    await h.client.transcripts.create({ spaceId: h.spaceId, text: 'Mine', language: 'en', audio: recording(), submit: false });
    await h.client.engine.syncNow();
    await waitFor(() => expect(h.client.engine.getStatus().pending).toBe(0));
    await user.click(screen.getByRole('button', { name: en.settings.signOut }));
    await waitFor(() => expect(h.client.auth.current()).toBeNull());
    expect(await h.recordings.all()).toEqual([]);
    expect(await h.client.read.transcripts()).toEqual([]);
    expect(window.location.pathname).toBe('/login');
  });

  it('warns when changes are waiting, and signs out only when told to anyway', async () => {
    const user = userEvent.setup();
    const h = await renderScreen(<SignOutSection />, { signedIn: 'ana@example.com' });
    await h.client.mutate('conversation.create', { id: 'c1', spaceId: h.spaceId, title: 'Unsent' });
    await user.click(screen.getByRole('button', { name: en.settings.signOut }));
    expect(await screen.findByText(en.settings.signOutWarning_one.replace('{{count, number}}', '1'))).toBeTruthy();
    expect(h.client.auth.current()).not.toBeNull();

    await user.click(screen.getByRole('button', { name: en.settings.staySignedIn }));
    expect(h.client.auth.current()).not.toBeNull();
    await user.click(screen.getByRole('button', { name: en.settings.signOut }));
    await user.click(await screen.findByRole('button', { name: en.settings.signOutAnyway }));
    await waitFor(() => expect(h.client.auth.current()).toBeNull());
    expect(await h.client.read.conversations()).toEqual([]);
  });
});
