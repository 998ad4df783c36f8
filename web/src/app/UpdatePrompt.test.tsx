// @vitest-environment happy-dom
import { act, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '@duet/client';
import { pwaStore } from '../pwa/pwa-store.ts';
import { en, renderScreen } from '../testing/render.tsx';
import { UpdatePrompt } from './UpdatePrompt.tsx';

describe('UpdatePrompt', () => {
  it('shows nothing while this version is served and no update waits', async () => {
    const { container } = await renderScreen(<UpdatePrompt />, { signedIn: 'ana@example.com' });
    expect(container.textContent).toBe('');
  });

  it('tells the person in plain words to update when the server no longer serves this version', async () => {
    const h = await renderScreen(<UpdatePrompt />, { signedIn: 'ana@example.com' });
    h.server.failures.push(new ApiError({ code: 'unsupported_protocol', status: 426 }));
    await act(() => h.client.engine.syncNow());
    await waitFor(() => expect(screen.getByRole('alert').textContent).toContain(en.pwa.updateRequired));
    expect(screen.getByText(en.pwa.updateRequiredHowTo)).toBeTruthy();
    expect(screen.queryByRole('button')).toBeNull();

    // A new version is waiting: reloading is the update.
    act(() => pwaStore.set({ updateReady: true }));
    expect(screen.getByText(en.pwa.updateRequiredReady)).toBeTruthy();
    expect(screen.getByRole('button', { name: en.pwa.reload })).toBeTruthy();
    act(() => pwaStore.set({ updateReady: false }));
  });
});
