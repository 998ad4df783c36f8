/**
 * Partners (issue 12, defect 8): a code typed in lower case with spaces links; once linked both
 * see their partner instead of the invite forms (the used code is gone from the screen); your own
 * code says so; unlinking takes the shared space off both sides' devices, and they can link again.
 */
import { describe, expect, test } from 'vitest';
import { openProfile, screenshot } from '../support/browser.ts';
import { newUser, signUp } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';

describe('partners', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('link with a sloppily typed code, see the partner, refuse your own code, unlink cleanly', async () => {
    screenshotsOnFailure('partners-ux', () => profiles);
    const { alex, sam, alexUser, samUser } = await session.signUpPair();

    // Your own code: a message that says so.
    await alex.partner.open(session.url);
    const code = await alex.partner.createInvite();
    await alex.partner.typeCode(code);
    await alex.page.getByRole('alert').getByText(uiText('en', 'partnerLink.ownCode'), { exact: true }).waitFor();

    // Typed in lower case, with spaces instead of dashes and around.
    await sam.partner.open(session.url);
    await sam.partner.typeCode(`  ${code.toLowerCase().replace(/-/g, ' ')} `);
    await sam.page.getByText(uiText('en', 'partner.accepted', { name: alexUser.displayName }), { exact: true }).waitFor();
    await sam.partner.partnerCard.getByText(uiText('en', 'partner.linked', { name: alexUser.displayName }), { exact: true }).waitFor();
    expect(await sam.partner.acceptForm.count()).toBe(0);
    expect(await sam.partner.createInviteButton.count()).toBe(0);
    await screenshot(sam.page, 'partner-linked');

    // Alex's screen follows: the partner, and the used code is no longer shown.
    await alex.page.reload();
    await alex.partner.partnerCard.getByText(uiText('en', 'partner.linked', { name: samUser.displayName }), { exact: true }).waitFor({
      timeout: 20_000,
    });
    expect(await alex.partner.inviteCode.count()).toBe(0);
    expect(await alex.partner.acceptForm.count()).toBe(0);

    // Something shared, then unlink from Sam's side.
    await alex.conversations.open();
    await alex.conversations.create('Our trip', 'shared');
    await alex.status.waitForAllSent();
    await sam.page.reload();
    await sam.conversations.open();
    await sam.conversations.link('Our trip').waitFor({ timeout: 20_000 });
    await sam.partner.open(session.url);
    await sam.partner.unlink();
    await sam.page.getByText(uiText('en', 'partnerLink.unlinked', { name: alexUser.displayName }), { exact: true }).waitFor();
    await sam.partner.createInviteButton.waitFor();
    await sam.conversations.open();
    await sam.status.waitForAllSent();
    expect(await sam.conversations.link('Our trip').count()).toBe(0);
    await screenshot(sam.page, 'partner-unlinked');

    // Alex's devices drop it too, and "Who can see it" is gone with the partner.
    await alex.page.reload();
    await alex.conversations.heading.waitFor({ timeout: 20_000 });
    await alex.status.waitForAllSent();
    await expect.poll(() => alex.conversations.link('Our trip').count(), { timeout: 20_000 }).toBe(0);
    expect(await alex.conversations.visibility.count()).toBe(0);

    // A new person can link with Alex now: one shared space, offered in "Who can see it".
    const camProfile = await openProfile();
    profiles.push(camProfile);
    const cam = new DuetApp(camProfile.page);
    const camUser = newUser('Cam');
    await signUp(cam, session.url, camUser);
    await alex.partner.open(session.url);
    const second = await alex.partner.createInvite();
    await cam.partner.open(session.url);
    await cam.partner.acceptInvite(second, alexUser.displayName);
    await alex.page.reload();
    await alex.partner.partnerCard.getByText(uiText('en', 'partner.linked', { name: camUser.displayName }), { exact: true }).waitFor({
      timeout: 20_000,
    });
    await alex.conversations.open();
    const options = await alex.conversations.visibility.locator('option').allInnerTexts();
    expect(options).toEqual([
      uiText('en', 'conversations.spaceShared', { name: camUser.displayName }),
      uiText('en', 'conversations.spacePersonal'),
    ]);
  });
});
