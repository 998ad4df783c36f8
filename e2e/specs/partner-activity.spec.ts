/**
 * Partner activity in Chromium, two phones: where the partner's name is, what they are doing
 * (reviewing transcripts), not shared once they turn sharing off; the notification list with its
 * quiet badge (invitation accepted, analysis finished), read on opening; the live status of a
 * transcript's job while the screen is open; a system notification for a partner's message while
 * the app is hidden (the setting on, permission granted in the context, window.Notification
 * wrapped to record what was created); and the notification list laid out right to left in Arabic.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { openProfile, screenshot, type Profile } from '../support/browser.ts';
import { linkPartners, newUser, signUp } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';

/** Records every Notification the page creates, and lets the test hide and show the page. */
const NOTIFICATION_PROBE = `(() => {
  const Real = window.Notification;
  window.__notifications = [];
  if (Real) {
    class Recorded extends Real {
      constructor(title, options) {
        window.__notifications.push({ title, body: options && options.body, tag: options && options.tag });
        super(title, options);
      }
    }
    window.Notification = Recorded;
  }
  let hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
})();`;

interface ProbedWindow {
  __notifications: Array<{ title: string; body?: string; tag?: string }>;
  __setHidden(hidden: boolean): void;
}

const created = (page: Page) => page.evaluate(() => (window as unknown as ProbedWindow).__notifications);
const setHidden = (page: Page, hidden: boolean) => page.evaluate((h) => (window as unknown as ProbedWindow).__setHidden(h), hidden);

describe('partner activity', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('availability, the notification list and badge, live job status, and a system notification while hidden', async () => {
    screenshotsOnFailure('partner-activity', () => profiles);
    const { alex, sam, alexUser, samUser, samProfile } = await session.signUpPair();
    await samProfile.context.grantPermissions(['notifications'], { origin: session.url });
    await samProfile.context.addInitScript({ content: NOTIFICATION_PROBE });
    await linkPartners(alex, alexUser, sam, samUser, session.url);

    // Alex invited: one notification, a quiet badge; opening the list shows it and reads it.
    await alex.header.unreadBadge(1).waitFor({ timeout: 15_000 });
    await alex.header.notificationsButton.click();
    await alex.header.notification('invite_accepted', { name: samUser.displayName }).waitFor();
    await screenshot(alex.page, 'partner-activity-notifications');
    await alex.header.unreadBadge(1).waitFor({ state: 'detached', timeout: 10_000 });
    await alex.page.keyboard.press('Escape');
    await alex.header.notificationList.waitFor({ state: 'detached' });

    // Where Alex's name is on Sam's phone: online; then reviewing transcripts while Alex reads them.
    const text = (key: string, vars: Record<string, string>) => uiText('en', key, vars);
    await sam.partner.availability(text('conversation.partnerOnline', { name: alexUser.displayName })).waitFor({ timeout: 15_000 });
    await alex.transcripts.open();
    await sam.partner.availability(text('presence.activity.reviewing', { name: alexUser.displayName })).waitFor({ timeout: 10_000 });
    await screenshot(sam.page, 'partner-activity-reviewing');

    // Alex stops sharing: Sam sees only that Alex is online.
    await alex.settings.open();
    await alex.settings.shareActivityToggle.uncheck();
    await sam.partner.availability(text('conversation.partnerOnline', { name: alexUser.displayName })).waitFor({ timeout: 10_000 });
    await alex.transcripts.open();
    await sam.page.waitForTimeout(1500);
    expect(await sam.partner.availability(text('presence.activity.reviewing', { name: alexUser.displayName })).count()).toBe(0);

    // A transcript Alex submits: its job's live status shows on the screen, pushed over the socket.
    await alex.page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __liveJob: string[] }).__liveJob = seen;
      new MutationObserver(() => {
        for (const el of document.querySelectorAll('.live-job')) {
          const now = el.textContent ?? '';
          if (seen.at(-1) !== now) seen.push(now);
        }
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await alex.transcripts.textInput.fill('Alex: we planned the trip\nSam: and the budget');
    await alex.transcripts.submitNow.check();
    await alex.transcripts.saveButton.click();
    await alex.transcripts.statusPill('we planned the trip', 'done').waitFor({ timeout: 30_000 });
    const liveTexts = await alex.page.evaluate(() => (window as unknown as { __liveJob: string[] }).__liveJob);
    const liveWords = [
      uiText('en', 'liveJob.processing', { percent: '' }).replace('…', '').trim(),
      uiText('en', 'liveJob.done'),
      uiText('en', 'liveJob.queued'),
    ];
    expect(
      liveTexts.some((t) => liveWords.some((w) => t.includes(w))),
      `live statuses seen: ${JSON.stringify(liveTexts)}`,
    ).toBe(true);

    // Sam, a member of the space, is told the analysis finished.
    await sam.header.unreadBadge(1).waitFor({ timeout: 15_000 });
    await sam.header.notificationsButton.click();
    await sam.header.notification('analysis_done').waitFor();
    await sam.page.keyboard.press('Escape');

    // System notifications: Sam turns them on (permission was granted), then a shared conversation.
    await sam.settings.open();
    await sam.settings.systemNotificationsToggle.check();
    await alex.conversations.open();
    await alex.conversations.create('Trip', 'shared');
    await alex.conversations.openConversation('Trip');
    await sam.conversations.open();
    await sam.conversations.link('Trip').waitFor({ timeout: 15_000 });

    // Visible: the message shows in the app, no system notification.
    await alex.conversation.send('Seen in the app');
    await sam.page.waitForTimeout(2000);
    expect(await created(sam.page)).toEqual([]);

    // Hidden: one system notification for the partner's message.
    await setHidden(sam.page, true);
    await sam.page.waitForTimeout(300);
    await alex.conversation.send('Train at nine?');
    await expect
      .poll(() => created(sam.page), { timeout: 15_000 })
      .toEqual([
        {
          title: uiText('en', 'notifications.systemMessage', { name: alexUser.displayName }),
          body: 'Train at nine?',
          tag: expect.stringMatching(/^message-/) as string,
        },
      ]);
    await setHidden(sam.page, false);
  });

  test('the notification list in Arabic, right to left, within the phone screen', async () => {
    const arabicProfile: Profile = await openProfile({ locale: 'ar-EG' });
    const englishProfile: Profile = await openProfile();
    profiles.push(arabicProfile, englishProfile);
    screenshotsOnFailure('partner-activity-ar', () => [arabicProfile, englishProfile]);
    const rana = new DuetApp(arabicProfile.page, 'ar');
    const omar = new DuetApp(englishProfile.page);
    const ranaUser = newUser('Rana');
    const omarUser = newUser('Omar');
    await signUp(rana, session.url, ranaUser);
    await signUp(omar, session.url, omarUser);
    await linkPartners(rana, ranaUser, omar, omarUser, session.url);

    await rana.header.unreadBadge(1).waitFor({ timeout: 15_000 });
    await rana.header.notificationsButton.click();
    await rana.header.notification('invite_accepted', { name: omarUser.displayName }).waitFor();
    const panel = rana.header.root.getByRole('region', { name: rana.header.text('notifications.title'), exact: true });
    const box = await panel.boundingBox();
    expect(box).not.toBeNull();
    expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(360);
    expect(await rana.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await screenshot(rana.page, 'partner-activity-notifications-arabic');
  });
});
