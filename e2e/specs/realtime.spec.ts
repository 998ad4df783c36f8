/**
 * Real time: two partners on two phones in one shared conversation. What one does reaches the other
 * through the WebSocket with no reload and long before the 60 s periodic sync: linking, a new
 * conversation, a message (within 2 s), presence, and "… is typing".
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { specSession } from '../support/spec-session.ts';
import { screenshot } from '../support/browser.ts';
import { uiText } from '../support/pages/index.ts';

/** Presence in the conversation header and the typing line; local to this spec. */
function presence(page: Page) {
  const text = (key: string, vars: Record<string, string | number>) => uiText('en', key, vars);
  return {
    online: (name: string) =>
      page
        .getByRole('list', { name: text('conversation.presenceLabel', {}) })
        .getByText(text('conversation.partnerOnline', { name }), { exact: true }),
    // Offline with a last-seen time ("… was last seen now"), or plain offline when never seen.
    offline: (name: string) =>
      page.getByRole('list', { name: text('conversation.presenceLabel', {}) }).locator('[data-availability="offline"]', { hasText: name }),
    typingLine: page.locator('.screen--conversation [aria-live="polite"]'),
    typing: (name: string) => page.getByText(text('conversation.typing', { count: 1, names: name }), { exact: true }),
  };
}

describe('real time', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('a partner sees messages, presence and typing as they happen, without reloading', async () => {
    const { alex, sam, alexUser, samUser, alexProfile } = await session.signUpPair();

    // Alex invites, Sam accepts; Alex's phone hears of the new shared space by a poke, no reload.
    await alex.partner.open(session.url);
    const code = await alex.partner.createInvite();
    await sam.partner.open(session.url);
    await sam.partner.acceptInvite(code, alexUser.displayName);
    await alex.partner.linkedWith(samUser.displayName).waitFor({ timeout: 10_000 });

    // A shared conversation Alex creates shows up in Sam's list by itself.
    await alex.conversations.open();
    await sam.conversations.open();
    await alex.conversations.create('Weekend plans', 'shared');
    await sam.conversations.link('Weekend plans').waitFor({ timeout: 10_000 });
    await alex.conversations.openConversation('Weekend plans');
    await sam.conversations.openConversation('Weekend plans');

    // Each sees the other online.
    const atAlex = presence(alex.page);
    const atSam = presence(sam.page);
    await atSam.online(alexUser.displayName).waitFor({ timeout: 10_000 });
    await atAlex.online(samUser.displayName).waitFor({ timeout: 10_000 });

    // Alex types: Sam is told, politely, in a live region; it goes away once Alex stops.
    expect(await atSam.typingLine.getAttribute('aria-live')).toBe('polite');
    await alex.conversation.composer.pressSequentially('Hiking on', { delay: 50 });
    await atSam.typing(alexUser.displayName).waitFor({ timeout: 3000 });
    await screenshot(sam.page, 'realtime-typing');
    await atSam.typing(alexUser.displayName).waitFor({ state: 'detached', timeout: 10_000 });
    // Nobody typed on Sam's phone, so Alex sees no typing line text.
    expect(await atAlex.typingLine.innerText()).toBe('');

    // Alex sends; once Alex's phone shows it sent, Sam's shows it within 2 s with nobody touching
    // Sam's phone: only the WebSocket poke can do that (the periodic sync waits 60 s).
    await alex.conversation.composer.fill('Hiking on Saturday?');
    await alex.conversation.sendButton.click();
    await alex.conversation.message('Hiking on Saturday?').waitFor();
    await alex.conversation.notSentMark('Hiking on Saturday?').waitFor({ state: 'detached', timeout: 10_000 });
    await sam.conversation.message('Hiking on Saturday?').waitFor({ timeout: 2000 });

    // And back: Sam's reply reaches Alex the same way.
    await sam.conversation.composer.fill('Yes, early!');
    await atAlex.typing(samUser.displayName).waitFor({ timeout: 3000 });
    await sam.conversation.sendButton.click();
    await sam.conversation.notSentMark('Yes, early!').waitFor({ state: 'detached', timeout: 10_000 });
    await alex.conversation.message('Yes, early!').waitFor({ timeout: 2000 });
    // Sam's message ends Sam's typing at once, not when the 5 s typing state runs out.
    await atAlex.typing(samUser.displayName).waitFor({ state: 'detached', timeout: 1000 });
    await screenshot(alex.page, 'realtime-conversation');

    // Alex's phone goes away: Sam sees Alex offline.
    await alexProfile.close();
    profiles.splice(profiles.indexOf(alexProfile), 1);
    await atSam.offline(alexUser.displayName).waitFor({ timeout: 10_000 });
  });
});
