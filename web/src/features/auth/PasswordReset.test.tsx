// @vitest-environment happy-dom
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import { clientHarness } from '@duet/client/testing';
import { ApiError } from '../../data/index.ts';
import { en, renderScreen } from '../../testing/render.tsx';
import { ForgotPasswordScreen } from './ForgotPasswordScreen.tsx';
import { ResetPasswordScreen } from './ResetPasswordScreen.tsx';

const TOKEN = 'A'.repeat(43);

describe('forgot password', () => {
  it('asks for a link for the typed email and says one is on its way if the account exists', async () => {
    const user = userEvent.setup();
    const harness = clientHarness();
    const ask = vi.spyOn(harness.client.account, 'requestPasswordReset').mockResolvedValue();
    await renderScreen(<ForgotPasswordScreen />, { harness });
    await user.type(screen.getByLabelText(en.auth.email), 'rosa@example.com');
    await user.click(screen.getByRole('button', { name: en.passwords.forgotSubmit }));
    expect(await screen.findByText(en.passwords.forgotSent.replace('{{email}}', 'rosa@example.com'))).toBeTruthy();
    expect(ask).toHaveBeenCalledWith('rosa@example.com');
  });
});

describe('reset password', () => {
  it('sets the new password with the link’s token and asks to log in again', async () => {
    const user = userEvent.setup();
    const harness = clientHarness();
    const reset = vi.spyOn(harness.client.account, 'resetPassword').mockResolvedValue({ revokedSessions: 1 });
    await renderScreen(<ResetPasswordScreen token={TOKEN} />, { harness, signedIn: 'ana@example.com' });
    await user.type(screen.getByLabelText(en.passwords.newPassword), 'a fresh password');
    await user.click(screen.getByRole('button', { name: en.passwords.resetSubmit }));
    expect(await screen.findByText(en.passwords.resetDone)).toBeTruthy();
    expect(reset).toHaveBeenCalledWith(TOKEN, 'a fresh password');
    // This device's session ended with the others.
    expect(harness.client.auth.current()).toBeNull();
    expect(screen.getByRole('link', { name: en.passwords.logInNow })).toBeTruthy();
  });

  it('explains an expired link and offers a new one', async () => {
    const user = userEvent.setup();
    const harness = clientHarness();
    vi.spyOn(harness.client.account, 'resetPassword').mockRejectedValue(new ApiError({ code: 'reset_token_expired', status: 410 }));
    await renderScreen(<ResetPasswordScreen token={TOKEN} />, { harness });
    await user.type(screen.getByLabelText(en.passwords.newPassword), 'a fresh password');
    await user.click(screen.getByRole('button', { name: en.passwords.resetSubmit }));
    expect(await screen.findByText(en.errors.reset_token_expired)).toBeTruthy();
    expect(screen.getByRole('link', { name: en.passwords.askAgain })).toBeTruthy();
  });

  it('says a link without its token is incomplete', async () => {
    await renderScreen(<ResetPasswordScreen token="" />);
    expect(await screen.findByText(en.passwords.resetNoToken)).toBeTruthy();
    expect(screen.queryByRole('button', { name: en.passwords.resetSubmit })).toBeNull();
  });
});
