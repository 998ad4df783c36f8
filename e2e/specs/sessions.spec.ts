/**
 * Sessions are visits, not page loads (issue 12, defect 1): reloads and moving between screens
 * continue the visit, so a visit with five reloads is one session on the Sessions screen.
 * A short trip to the background continues it too. (Idle ends and visits without activity:
 * session-tracker.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { screenshot } from '../support/browser.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';

describe('sessions', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('five reloads, route changes and a short trip to the background in one visit count as one session', async () => {
    screenshotsOnFailure('sessions', () => profiles);
    const { alex } = await session.signUpPair();
    await alex.conversations.open();
    await alex.conversations.create('Notes');
    await alex.conversations.openConversation('Notes');
    await alex.conversation.send('First thought');
    for (let reload = 0; reload < 5; reload += 1) {
      await alex.page.reload();
      await alex.conversation.heading('Notes').waitFor({ timeout: 20_000 });
      await alex.transcripts.open();
      await alex.conversations.open();
      await alex.conversations.openConversation('Notes');
    }
    await alex.sessions.open();
    await alex.status.waitForAllSent();
    expect(await alex.sessions.stat('sessions.sessionsLast7')).toBe('1');
    await screenshot(alex.page, 'sessions-one-visit');

    // The app goes to the background (as switching apps on a phone does) and comes back. Headless
    // Chromium never hides a page by itself, so the page is told it is hidden, as the browser would.
    const setVisibility = (state: 'hidden' | 'visible') =>
      alex.page.evaluate((value) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => value });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => value === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await setVisibility('hidden');
    await alex.page.waitForTimeout(3000);
    await setVisibility('visible');
    await alex.conversations.open();
    await alex.conversations.openConversation('Notes');
    await alex.conversation.send('Back after a minute away');
    await alex.sessions.open();
    await alex.status.waitForAllSent();
    expect(await alex.sessions.stat('sessions.sessionsLast7'), 'a short trip to the background is the same visit').toBe('1');
  });
});
