/**
 * Partners: two people on two phones link through an invite code; a conversation A creates in the
 * shared space ("Who can see it") reaches B with its messages, and a personal one does not.
 */
import { describe, expect, test } from 'vitest';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';
import { screenshot } from '../support/browser.ts';
import { uiText } from '../support/pages/index.ts';

describe('partners', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('an invite links two users, and a shared conversation reaches the partner', async () => {
    screenshotsOnFailure('partners', () => profiles);
    const { alex, sam, alexUser, samUser } = await session.signUpPair();

    // Without a partner there is nothing to choose: conversations are personal.
    expect(await alex.conversations.visibility.count()).toBe(0);

    await alex.partner.open(session.url);
    const code = await alex.partner.createInvite();
    expect(code).toMatch(/^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/);
    await screenshot(alex.page, 'partners-invite-code');

    await sam.partner.open(session.url);
    await sam.partner.acceptInvite(code, alexUser.displayName);
    await sam.partner.linkedWith(alexUser.displayName).waitFor();
    await screenshot(sam.page, 'partners-accepted');

    // Alex's phone learns about the shared space on its next sync; a reload starts one at once.
    await alex.page.reload();
    await alex.partner.linkedWith(samUser.displayName).waitFor({ timeout: 20_000 });

    // Now "Who can see it" offers the shared space (the default) and "Only me".
    await alex.conversations.open();
    await alex.conversations.visibility.waitFor();
    const choices = await alex.conversations.visibility.getByRole('option').allInnerTexts();
    expect(choices).toEqual([
      uiText('en', 'conversations.spaceShared', { name: samUser.displayName }),
      uiText('en', 'conversations.spacePersonal'),
    ]);
    await alex.conversations.create('Holiday ideas', 'shared');
    await alex.conversations.create('Alex private notes', 'personal');
    await alex.conversations.sharedTag('Holiday ideas').waitFor();
    expect(await alex.conversations.sharedTag('Alex private notes').count()).toBe(0);
    await alex.conversations.openConversation('Holiday ideas');
    await alex.conversation.send('Lisbon in May?');
    await alex.conversation.send('Or somewhere with mountains');
    await alex.status.waitForAllSent();

    // Sam sees the shared conversation and its messages after a sync (a reload starts one).
    await sam.page.reload();
    await sam.conversations.open();
    await sam.conversations.link('Holiday ideas').waitFor({ timeout: 20_000 });
    await sam.conversations.sharedTag('Holiday ideas').waitFor();
    expect(await sam.conversations.link('Alex private notes').count()).toBe(0);
    await sam.conversations.openConversation('Holiday ideas');
    await sam.conversation.message('Lisbon in May?').waitFor({ timeout: 15_000 });
    await sam.conversation.message('Or somewhere with mountains').waitFor();
    // Messages are labelled with their author: Alex's name, not "You", on Sam's phone (the
    // partner's name comes with the space, which may render a moment after the message).
    await expect
      .poll(() => sam.conversation.message('Lisbon in May?').getAttribute('aria-label'), { timeout: 10_000 })
      .toMatch(
        new RegExp(`^${uiText('en', 'conversation.messageFrom', { author: alexUser.displayName, time: 'TIME' }).replace('TIME', '.+')}$`),
      );

    // And Sam's reply reaches Alex.
    await sam.conversation.send('Mountains, please');
    await sam.status.waitForAllSent();
    await alex.page.reload();
    await alex.conversation.message('Mountains, please').waitFor({ timeout: 20_000 });
    await screenshot(alex.page, 'partners-shared-conversation');
  });
});
