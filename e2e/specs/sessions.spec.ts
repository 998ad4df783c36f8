/**
 * Sessions are visits, not page loads (issue 12, defect 1): reloads and moving between screens
 * continue the visit, so a visit with five reloads is one session on the Sessions screen.
 * (Going to the background, idle ends and visits without activity: session-tracker.test.ts.)
 */
import { describe, expect, test } from 'vitest';
import { screenshot } from '../support/browser.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';

describe('sessions', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('five reloads and route changes in one visit count as one session', async () => {
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
  });
});
