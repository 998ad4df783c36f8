/**
 * Conflicts: two partners rename the same shared conversation while both are offline. After both
 * sync, both phones show the same winning title (the later rename); the loser is told and can
 * restore their title, which then wins everywhere.
 */
import { describe, expect, test } from 'vitest';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';
import { screenshot } from '../support/browser.ts';
import { linkPartners } from '../support/duet-flows.ts';
import { uiText } from '../support/pages/index.ts';

describe('conflicting renames', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('offline renames converge on the later one, and the loser can restore theirs', async () => {
    screenshotsOnFailure('conflict', () => profiles);
    const { alex, sam, alexUser, samUser, alexProfile, samProfile } = await session.signUpPair();
    await linkPartners(alex, alexUser, sam, samUser, session.url);

    await alex.conversations.open();
    await alex.conversations.create('Trip budget', 'shared');
    await alex.status.waitForAllSent();
    await sam.page.reload();
    await sam.conversations.open();
    await sam.conversations.link('Trip budget').waitFor({ timeout: 20_000 });

    // Both offline; Alex renames first, Sam a moment later.
    await alexProfile.context.setOffline(true);
    await samProfile.context.setOffline(true);
    await alex.status.offline.waitFor();
    await sam.status.offline.waitFor();
    await alex.conversations.rename('Trip budget', 'Budget by Alex');
    await sam.conversations.rename('Trip budget', 'Budget by Sam');
    await alex.status.waitForChangesWaiting();
    await sam.status.waitForChangesWaiting();

    // Online one after the other: Alex's rename reaches the server first, Sam's (later) wins.
    await alexProfile.context.setOffline(false);
    await alex.status.waitForAllSent(30_000);
    await samProfile.context.setOffline(false);
    await sam.status.waitForAllSent(30_000);
    await sam.conversations.link('Budget by Sam').waitFor();

    // Alex's next sync (a reload starts one) brings the winner and the conflict notice.
    await alex.page.reload();
    await alex.conversations.link('Budget by Sam').waitFor({ timeout: 20_000 });
    await alex.conflicts.root.waitFor({ timeout: 20_000 });
    await alex.conflicts.open();
    await alex.conflicts.yourVersion('Budget by Alex').waitFor();
    const explanation = uiText('en', 'conflictNotice.what.conversation.titleIn', { who: samUser.displayName, title: 'Budget by Sam' });
    await alex.conflicts.root.getByText(explanation).waitFor();
    await screenshot(alex.page, 'conflict-notice');

    // The winner is not told that anything of theirs was replaced.
    await sam.page.reload();
    await sam.conversations.link('Budget by Sam').waitFor({ timeout: 20_000 });
    await sam.status.waitForAllSent();
    expect(await sam.conflicts.root.count()).toBe(0);

    // Restoring puts Alex's title back, on both phones.
    await alex.conflicts.restoreButton.click();
    await alex.conflicts.root.waitFor({ state: 'detached' });
    await alex.conversations.link('Budget by Alex').waitFor();
    await alex.status.waitForAllSent(30_000);
    await sam.page.reload();
    await sam.conversations.link('Budget by Alex').waitFor({ timeout: 20_000 });
    expect(await sam.conversations.link('Budget by Sam').count()).toBe(0);
    await alex.page.reload();
    await alex.conversations.link('Budget by Alex').waitFor({ timeout: 20_000 });
    expect(await alex.conflicts.root.count()).toBe(0);
  });
});
