/**
 * A change the server keeps failing on (a 500, as a bug on the server answers): the person is told
 * in plain words that it cannot be sent, can copy it, and discarding it lets the changes made after
 * it through. The 500s come from a route on the push call in the browser, for that change only.
 */
import { describe, expect, test } from 'vitest';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { logIn, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp } from '../support/pages/index.ts';

describe('changes that cannot be sent', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('are shown, can be copied, and once discarded the later changes are sent', async () => {
    screenshotsOnFailure('unsendable', () => profiles);
    const user = newUser('Noor');
    const phone = await openProfile();
    profiles.push(phone);
    await phone.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: session.url });
    const app = new DuetApp(phone.page);
    const title = 'Notes';
    const failing = 'The server trips over this one';
    const later = 'Written after it';

    await signUp(app, session.url, user);
    await app.conversations.create(title);
    await app.conversations.openConversation(title);
    await app.status.waitForAllSent();

    await phone.context.route('**/api/sync/push', async (route) => {
      if (!(route.request().postData() ?? '').includes(failing)) return route.continue();
      return route.fulfill({
        status: 500,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'internal', message: 'the server failed on this request; the problem was logged' } }),
      });
    });
    await app.conversation.send(failing);
    await app.conversation.send(later);

    // After a few failures the notice names the change; nothing is dropped meanwhile.
    await app.unsendable.root.waitFor({ timeout: 45_000 });
    await app.unsendable.yourText(failing).waitFor();
    await app.conversation.notSentMark(later).waitFor();
    await screenshot(phone.page, 'unsendable-notice');

    await app.unsendable.copyButton.click();
    await app.unsendable.copied.waitFor();
    const copied = await phone.page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toContain(failing);
    expect(copied).toContain('"name": "message.add"');

    await app.unsendable.discardButton.click();
    await app.unsendable.confirmDiscardButton.click();
    await app.unsendable.root.waitFor({ state: 'detached' });
    await app.status.waitForAllSent(30_000);
    await app.conversation.message(failing).waitFor({ state: 'detached' });
    await app.conversation.notSentMark(later).waitFor({ state: 'detached' });

    // The server has the later message and not the discarded one.
    const tablet = await openProfile();
    profiles.push(tablet);
    const other = new DuetApp(tablet.page);
    await logIn(other, session.url, user);
    await other.conversations.openConversation(title);
    await other.conversation.message(later).waitFor({ timeout: 15_000 });
    expect(await other.conversation.message(failing).count()).toBe(0);
  });
});
