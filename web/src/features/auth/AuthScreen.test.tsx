// @vitest-environment happy-dom
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { clientHarness } from '@duet/client/testing';
import { en, renderScreen } from '../../testing/render.tsx';
import { AuthScreen } from './AuthScreen.tsx';

describe('AuthScreen', () => {
  it('logs in with email and password', async () => {
    const user = userEvent.setup();
    const { client } = await renderScreen(<AuthScreen mode="login" />);
    await user.type(screen.getByLabelText(en.auth.email), 'ana@example.com');
    await user.type(screen.getByLabelText(en.auth.password), 'password1');
    await user.click(screen.getByRole('button', { name: en.auth.submitLogin }));
    await waitFor(() => expect(client.auth.current()?.user.id).toBe('ana'));
  });

  it('says in plain words when the email and password match no account, and can be tried again', async () => {
    const user = userEvent.setup();
    const { client } = await renderScreen(<AuthScreen mode="login" />);
    await user.type(screen.getByLabelText(en.auth.email), 'nobody@example.com');
    await user.type(screen.getByLabelText(en.auth.password), 'password1');
    await user.click(screen.getByRole('button', { name: en.auth.submitLogin }));
    expect(await screen.findByRole('alert')).toHaveProperty('textContent', en.errors.invalid_credentials);
    expect(client.auth.current()).toBeNull();
    expect(screen.getByRole('button', { name: en.auth.submitLogin })).toHaveProperty('disabled', false);
  });

  it('offline, cannot be sent', async () => {
    await renderScreen(<AuthScreen mode="signup" />, { harness: clientHarness({}, { online: false }) });
    expect(screen.getByRole('button', { name: en.auth.submitSignup })).toHaveProperty('disabled', true);
    expect(screen.getByLabelText(en.auth.displayName)).toBeTruthy();
  });
});
