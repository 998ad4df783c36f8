/**
 * The sync-health panel: offline, a conversation, a message and a recorded transcript wait on the
 * device and the panel says so (by kind, with the recording's size); storage use and the browser's
 * keep-data answer are shown; back online, "Sync now" sends everything and the panel says nothing
 * waits. Also in Arabic, right to left.
 */
import { describe, expect, test } from 'vitest';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { ensureServiceWorkerControl, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp, uiPattern, uiText } from '../support/pages/index.ts';
import { SyncHealthPanel } from '../support/pages/everyday.ts';

const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const en = (key: string, vars?: Record<string, string | number>) => uiText('en', key, vars);

describe('sync health', () => {
  const session = specSession();

  test('shows what waits offline, the recording waiting for upload, storage, and syncs on request', async () => {
    const phone = await openProfile({ extraArgs: FAKE_MICROPHONE });
    session.profiles.push(phone);
    const app = new DuetApp(phone.page);
    await signUp(app, session.url, newUser('Robin'));
    await app.status.waitForAllSent();
    await ensureServiceWorkerControl(phone.page);

    const panel = new SyncHealthPanel(phone.page);
    await app.settings.open();
    await panel.value('everyday.health.waiting').getByText(en('everyday.health.nothingWaiting')).waitFor();
    expect(await panel.value('everyday.health.lastSync').innerText()).not.toBe(en('status.neverSynced'));
    // Storage used and quota, as navigator.storage.estimate() tells them.
    expect(await panel.value('everyday.health.storage').innerText()).toMatch(uiPattern('en', 'settings.usage'));
    expect(await panel.value('everyday.health.persisted').innerText()).toMatch(
      new RegExp(
        `^(${[en('everyday.health.persistedYes'), en('everyday.health.persistedNo')].map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`,
      ),
    );

    // Offline: a conversation with a message, and a transcript with a recording.
    await phone.context.setOffline(true);
    await app.status.offline.waitFor();
    await app.conversations.open();
    await app.conversations.create('Offline notes');
    await app.conversations.openConversation('Offline notes');
    await app.conversation.send('Written on the train');
    await app.transcripts.open();
    await app.transcripts.textInput.fill('A short talk on the train');
    await app.transcripts.form.getByRole('button', { name: en('transcripts.audio.record'), exact: true }).click();
    await phone.page.waitForTimeout(1_500);
    await app.transcripts.form.getByRole('button', { name: en('transcripts.audio.stop'), exact: true }).click();
    await app.transcripts.form.getByLabel(en('transcripts.audio.play'), { exact: true }).waitFor();
    await app.transcripts.saveButton.click();
    await app.transcripts.item('A short talk on the train').waitFor();

    await app.settings.open();
    const waiting = panel.value('everyday.health.waiting');
    // Session updates wait too (the visit is recorded); the three made here are named by kind.
    await waiting.getByText(uiPattern('en', 'everyday.health.waitingCount')).waitFor({ timeout: 10_000 });
    await waiting.getByText(en('everyday.health.kind.transcript', { count: 1 }), { exact: false }).waitFor({ timeout: 10_000 });
    const waitingText = await waiting.innerText();
    expect(waitingText).toContain(en('everyday.health.kind.message', { count: 1 }));
    expect(waitingText).toContain(en('everyday.health.kind.conversation', { count: 1 }));
    expect(waitingText).toContain(en('everyday.health.kind.transcript', { count: 1 }));
    expect(await panel.value('everyday.health.audio').innerText()).toMatch(/^1 recording \(.+ left to send\)$/);
    await panel.region.scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'sync-health-offline');

    // Sync now while offline says so, in plain words.
    await panel.syncNowButton.click();
    await panel.outcome.getByText(en('status.offlineHint'), { exact: true }).waitFor();

    // Back online: Sync now sends it all; the recording uploads after its transcript.
    await phone.context.setOffline(false);
    await panel.syncNowButton.click();
    await waiting.getByText(en('everyday.health.nothingWaiting'), { exact: true }).waitFor({ timeout: 20_000 });
    await panel.value('everyday.health.audio').getByText(en('everyday.health.noAudio'), { exact: true }).waitFor({ timeout: 30_000 });
    await panel.outcome.getByText(en('everyday.health.syncedNow'), { exact: true }).waitFor({ timeout: 10_000 });

    // Right to left, in Arabic.
    const settings = await app.settings.chooseLanguage('ar');
    const arPanel = new SyncHealthPanel(phone.page, 'ar');
    await arPanel.region.waitFor();
    expect(await phone.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await arPanel.value('everyday.health.waiting').getByText(uiText('ar', 'everyday.health.nothingWaiting')).waitFor();
    await arPanel.region.scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'sync-health-ar');
    await settings.chooseLanguage('en');
  });
});
