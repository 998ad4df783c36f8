/**
 * Conflicts as one person with several devices sees them:
 * - an edit made offline on one phone while the other deleted the message is not just "not kept":
 *   the notice names the conversation (linked), shows all the lost text, copies it and sends it
 *   again as a new message (issue 12, defect 3);
 * - the notice is one compact line that leaves the composer in view until opened (defect 7);
 * - resolving it on one device resolves it on every device of the person (defect 2).
 */
import { describe, expect, test } from 'vitest';
import { openProfile, screenshot } from '../support/browser.ts';
import { logIn } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';

describe('conflicts across one person’s devices', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('an edit lost to a delete is shown in full, can be copied and sent again, and resolving it holds on every device', async () => {
    screenshotsOnFailure('conflict-resolution', () => profiles);
    const { alex: phone, alexUser, alexProfile: phoneProfile } = await session.signUpPair();
    const laptopProfile = await openProfile();
    profiles.push(laptopProfile);
    const laptop = new DuetApp(laptopProfile.page);
    await logIn(laptop, session.url, alexUser);

    await phone.conversations.open();
    await phone.conversations.create('Groceries');
    await phone.conversations.openConversation('Groceries');
    await phone.conversation.send('Buy milk');
    await phone.status.waitForAllSent();
    await laptop.page.reload();
    await laptop.conversations.openConversation('Groceries');
    await laptop.conversation.message('Buy milk').waitFor({ timeout: 20_000 });

    // Both offline: the phone deletes the message, the laptop edits it.
    await phoneProfile.context.setOffline(true);
    await laptopProfile.context.setOffline(true);
    await phone.status.offline.waitFor();
    await laptop.status.offline.waitFor();
    await phone.conversation.deleteMessage('Buy milk');
    const lost = 'Buy oat milk, two loaves of rye bread\nand the good coffee from the market stall';
    await laptop.conversation.editMessage('Buy milk', lost);

    await phoneProfile.context.setOffline(false);
    await phone.status.waitForAllSent(30_000);
    await laptopProfile.context.setOffline(false);
    await laptop.status.waitForAllSent(30_000);
    await laptop.page.reload();
    await laptop.conversation.heading('Groceries').waitFor({ timeout: 20_000 });

    // Compact: one line, and the composer stays in view below it.
    await laptop.conflicts.root.waitFor({ timeout: 20_000 });
    const notice = await laptop.conflicts.root.boundingBox();
    const composer = await laptop.conversation.composer.boundingBox();
    expect(notice?.height ?? Infinity).toBeLessThan(740 * 0.15);
    expect((composer?.y ?? Infinity) + (composer?.height ?? 0)).toBeLessThanOrEqual(740);
    await screenshot(laptop.page, 'conflict-compact');

    // A third device of Alex's, signed in now, is told too.
    const tabletProfile = await openProfile();
    profiles.push(tabletProfile);
    const tablet = new DuetApp(tabletProfile.page);
    await logIn(tablet, session.url, alexUser);
    await tablet.conflicts.root.waitFor({ timeout: 20_000 });

    // Opened: what happened and where, and the whole lost text.
    await laptop.conflicts.open();
    const explanation = uiText('en', 'conflictNotice.what.message.deletedIn', { who: 'your other device', title: 'Groceries' });
    await laptop.conflicts.root.getByText(explanation, { exact: false }).waitFor();
    await laptop.conflicts.conversationLink('Groceries').waitFor();
    expect(await laptop.conflicts.lostText.innerText()).toBe(lost);
    await screenshot(laptop.page, 'conflict-lost-text');

    await laptopProfile.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await laptop.conflicts.copyButton.click();
    await laptop.conflicts.root.getByText(uiText('en', 'conflictNotice.copied'), { exact: true }).waitFor();
    expect(await laptop.page.evaluate(() => navigator.clipboard.readText())).toBe(lost);

    await laptop.conflicts.sendAgainButton.click();
    await laptop.conflicts.root.waitFor({ state: 'detached' });
    await laptop.conversation.message('the good coffee').waitFor();
    await laptop.status.waitForAllSent(30_000);

    // Resolved on the laptop, so gone on the tablet, and the phone has the message again.
    await tablet.page.reload();
    await tablet.conversations.heading.waitFor({ timeout: 20_000 });
    await tablet.status.waitForAllSent();
    await tablet.conversations.openConversation('Groceries');
    await tablet.conversation.message('the good coffee').waitFor({ timeout: 20_000 });
    expect(await tablet.conflicts.root.count()).toBe(0);
    await phone.page.reload();
    await phone.conversation.message('the good coffee').waitFor({ timeout: 20_000 });
  });

  test('dismissing a notice on one device dismisses it on the others', async () => {
    screenshotsOnFailure('conflict-dismiss', () => profiles);
    const { alex: phone, alexUser, alexProfile: phoneProfile } = await session.signUpPair();
    const laptopProfile = await openProfile();
    profiles.push(laptopProfile);
    const laptop = new DuetApp(laptopProfile.page);
    await logIn(laptop, session.url, alexUser);
    await phone.conversations.open();
    await phone.conversations.create('Holiday');
    await phone.status.waitForAllSent();
    await laptop.page.reload();
    await laptop.conversations.link('Holiday').waitFor({ timeout: 20_000 });

    await phoneProfile.context.setOffline(true);
    await laptopProfile.context.setOffline(true);
    await laptop.status.offline.waitFor();
    await laptop.conversations.rename('Holiday', 'Holiday by laptop');
    await phone.conversations.rename('Holiday', 'Holiday by phone');
    await laptopProfile.context.setOffline(false);
    await laptop.status.waitForAllSent(30_000);
    await phoneProfile.context.setOffline(false);
    await phone.status.waitForAllSent(30_000);

    // The laptop lost; a tablet of Alex's is told as well.
    await laptop.page.reload();
    await laptop.conflicts.root.waitFor({ timeout: 20_000 });
    const tabletProfile = await openProfile();
    profiles.push(tabletProfile);
    const tablet = new DuetApp(tabletProfile.page);
    await logIn(tablet, session.url, alexUser);
    await tablet.conflicts.root.waitFor({ timeout: 20_000 });

    await laptop.conflicts.open();
    await laptop.conflicts.conversationLink('Holiday by phone').waitFor();
    await laptop.conflicts.dismissButton.click();
    await laptop.conflicts.root.waitFor({ state: 'detached' });
    // Focus goes back to the screen, not to the top of the document.
    expect(await laptop.page.evaluate(() => document.activeElement?.id)).toBe('main');
    await laptop.status.waitForAllSent(30_000);
    await tablet.page.reload();
    await tablet.conversations.link('Holiday by phone').waitFor({ timeout: 20_000 });
    await tablet.status.waitForAllSent();
    expect(await tablet.conflicts.root.count()).toBe(0);
  });
});
