/**
 * Offline first: data written online survives an offline reload, changes made offline wait in the
 * outbox (the status line says so), and once online they reach the server and the user's other device.
 */
import { describe, expect, test } from 'vitest';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { ensureServiceWorkerControl, logIn, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp } from '../support/pages/index.ts';

describe('offline first', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('data survives an offline reload, offline changes sync and reach another device', async () => {
    screenshotsOnFailure('offline-first', () => profiles);
    const user = newUser('Maya');
    const phone = await openProfile();
    profiles.push(phone);
    const app = new DuetApp(phone.page);
    const title = 'Weekend plans';

    await signUp(app, session.url, user);
    await app.conversations.create(title);
    await app.conversations.openConversation(title);
    await app.conversation.send('Hiking on Saturday?');
    await app.conversation.send('Or the lake if it rains');
    await app.status.waitForAllSent();
    await ensureServiceWorkerControl(phone.page);

    // Offline: the status line says so, and a reload still brings up the app and the data.
    await phone.context.setOffline(true);
    await app.status.offline.waitFor();
    await phone.page.reload();
    await app.conversation.heading(title).waitFor({ timeout: 15_000 });
    await app.conversation.message('Hiking on Saturday?').waitFor();
    await app.conversation.message('Or the lake if it rains').waitFor();

    // Changes made offline are kept on the device and counted as waiting.
    await app.conversation.send('Written on the train, offline');
    await app.conversation.notSentMark('Written on the train, offline').waitFor();
    await app.status.waitForChangesWaiting();
    await screenshot(phone.page, 'offline-first-conversation-offline');

    await app.transcripts.open();
    await app.transcripts.saveDraft('We agreed on the lake, weather permitting.', { conversationTitle: title });
    await app.transcripts.notSentMark('We agreed on the lake').waitFor();
    await app.status.waitForChangesWaiting();
    await screenshot(phone.page, 'offline-first-transcripts-offline');

    // Back online: everything is sent.
    await phone.context.setOffline(false);
    await app.status.waitForAllSent(45_000);
    await app.transcripts.notSentMark('We agreed on the lake').waitFor({ state: 'detached' });
    expect(await app.transcripts.item('We agreed on the lake').innerText()).toContain(title);

    // The user's other device logs in and sees the offline message and transcript.
    const tablet = await openProfile();
    profiles.push(tablet);
    const other = new DuetApp(tablet.page);
    await logIn(other, session.url, user);
    await other.conversations.openConversation(title);
    for (const body of ['Hiking on Saturday?', 'Or the lake if it rains', 'Written on the train, offline']) {
      await other.conversation.message(body).waitFor({ timeout: 15_000 });
    }
    expect(await other.conversation.notSentMark('Written on the train, offline').count()).toBe(0);
    await other.transcripts.open();
    await other.transcripts.item('We agreed on the lake, weather permitting.').waitFor({ timeout: 15_000 });

    // The main screens at phone size, as artifacts.
    await app.conversations.open();
    await app.conversations.link(title).waitFor();
    await screenshot(phone.page, 'screen-conversations');
    await app.conversations.openConversation(title);
    await app.conversation.message('Written on the train, offline').waitFor();
    await screenshot(phone.page, 'screen-conversation');
    await app.transcripts.open();
    await screenshot(phone.page, 'screen-transcripts');
    await app.transcripts.item('We agreed on the lake').scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'screen-transcripts-list');
    await app.sessions.open();
    await app.sessions.currentStreakLabel.waitFor();
    await screenshot(phone.page, 'screen-sessions');
    await app.settings.open();
    await app.settings.accountSection.waitFor();
    await screenshot(phone.page, 'screen-settings');
    expect(await app.settings.accountSection.innerText()).toContain(user.email);
  });
});
