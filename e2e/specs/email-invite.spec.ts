/**
 * Inviting a partner by email: Alex sends the invitation from the partner screen; the email's link
 * opens Duet on the accept screen with the code filled in, and
 * accepting links them. Settings shows the plan's usage, and says billing is not configured on a
 * server without Stripe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { openProfile, screenshot, type Profile } from '../support/browser.ts';
import { newUser, signUp } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { linkInEmail } from '../support/mail-outbox.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';

describe('invitation by email', () => {
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

  test('the email’s link opens the accept screen with the code filled in, and accepting links the partners', async () => {
    screenshotsOnFailure('email-invite', () => profiles);
    const url = server!.url;
    const [alexPhone, samPhone] = await Promise.all([openProfile(), openProfile()]);
    profiles.push(alexPhone, samPhone);
    const alex = new DuetApp(alexPhone.page);
    const sam = new DuetApp(samPhone.page);
    const alexUser = newUser('Alex');
    const samUser = newUser('Sam');
    await signUp(alex, url, alexUser);

    await alex.partner.open(url);
    const code = await alex.partner.inviteByEmail(samUser.email);
    await screenshot(alex.page, 'email-invite-sent');

    const link = await linkInEmail(dataDir, samUser.email, '/partner?code=');
    expect(new URL(link).searchParams.get('code')).toBe(code);
    // Signed out, the link shows the log-in screen and keeps its address (and code) for after it.
    await sam.page.goto(link);
    await sam.auth.heading('login').waitFor();
    expect(new URL(sam.page.url()).searchParams.get('code')).toBe(code);
    await signUp(sam, new URL(link).origin, samUser);
    await sam.page.goto(link);
    await sam.partner.heading.waitFor();
    expect(await sam.partner.acceptCodeField.inputValue()).toBe(code);
    await screenshot(sam.page, 'email-invite-accept-prefilled');
    await sam.partner.acceptForm.getByRole('button', { name: uiText('en', 'partner.accept'), exact: true }).click();
    await sam.partner.linkedWith(alexUser.displayName).waitFor({ timeout: 20_000 });
    // The partner shows as soon as the space is stored; the code leaves the address once the accept call returns.
    await expect.poll(() => new URL(sam.page.url()).search, { timeout: 10_000 }).toBe('');

    // Settings: this month's usage of the Free plan, and no billing on this server.
    await sam.settings.open();
    await sam.settings.planSection.getByText(uiText('en', 'billing.analyses', { used: 0, count: 10 }), { exact: true }).waitFor();
    await sam.settings.planSection.getByText(uiText('en', 'billing.notConfigured'), { exact: true }).waitFor();
    await sam.settings.planSection.scrollIntoViewIfNeeded();
    await screenshot(sam.page, 'settings-plan');
  });
});
