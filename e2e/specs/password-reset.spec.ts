/**
 * Password reset by email, as a person does it: "Forgot your password?" on another phone, the
 * email (written to the server's outbox folder, as `npm start` does with no SMTP_URL), its link
 * opening the reset screen, the new password, and the old session on the first phone ended.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { openProfile, screenshot, type Profile } from '../support/browser.ts';
import { logIn, newUser, signUp } from '../support/duet-flows.ts';
import { linkInEmail } from '../support/mail-outbox.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp } from '../support/pages/index.ts';

describe('password reset', () => {
  let server: AppServer | undefined;
  let dataDir = '';
  const profiles: Profile[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'duet-e2e-mail-'));
    server = await startAppServer({ DATA_DIR: dataDir });
  });
  afterAll(async () => {
    await Promise.allSettled(profiles.map((p) => p.close()));
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('a reset link from the email sets a new password and signs the other phone out', async () => {
    screenshotsOnFailure('password-reset', () => profiles);
    const url = server!.url;
    const [firstPhone, secondPhone] = await Promise.all([openProfile(), openProfile()]);
    profiles.push(firstPhone, secondPhone);
    const first = new DuetApp(firstPhone.page);
    const second = new DuetApp(secondPhone.page);
    const rosa = newUser('Rosa');
    await signUp(first, url, rosa);

    // On another phone: "Forgot your password?" from the log-in screen.
    await second.auth.open(url, 'login');
    await second.passwords.forgotLink.click();
    await second.passwords.forgotHeading.waitFor();
    await second.passwords.askForLink(rosa.email);
    await screenshot(second.page, 'password-forgot-sent');

    const link = await linkInEmail(dataDir, rosa.email, '/reset-password?token=');
    await second.page.goto(link);
    await second.passwords.resetHeading.waitFor();
    await screenshot(second.page, 'password-reset');
    const newPassword = 'a-new-password-for-rosa';
    await second.passwords.setNewPassword(newPassword);
    await screenshot(second.page, 'password-reset-done');

    // The link works once.
    await second.page.goto(link);
    await second.passwords.submitNewPassword('another-password-1');
    await second.passwords.error('errors.reset_token_invalid').waitFor();

    // The new password logs in; the old one does not.
    await second.auth.open(url, 'login');
    await second.auth.logIn({ email: rosa.email, password: rosa.password });
    await second.page
      .getByRole('alert')
      .filter({ hasText: second.auth.text('errors.invalid_credentials') })
      .waitFor();
    await logIn(second, url, { ...rosa, password: newPassword });

    // The first phone's session was revoked: its next sync finds it signed out.
    await first.page.reload();
    await first.auth.heading('login').waitFor({ timeout: 30_000 });
    expect(await first.conversations.heading.count()).toBe(0);
  });
});
