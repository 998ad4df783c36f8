/**
 * Transcript audio in real Chromium with a fake microphone: record offline, keep the recording
 * across an offline reload, upload it (resumable, with progress) once online, and play it on the
 * user's other device, where the transcript shows "Audio uploaded" and its processing result.
 */
import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { ensureServiceWorkerControl, logIn, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp, uiPattern, uiText } from '../support/pages/index.ts';
import type { Language } from '../support/pages/index.ts';

const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

/** The audio parts of the transcripts screen: the recorder in the form, and one transcript's audio. */
class TranscriptAudio {
  constructor(
    readonly page: Page,
    readonly language: Language = 'en',
  ) {}

  text(key: string, vars?: Record<string, string | number>): string {
    return uiText(this.language, key, vars);
  }

  get form() {
    return this.page.getByRole('form', { name: this.text('transcripts.new'), exact: true });
  }

  get recordButton() {
    return this.form.getByRole('button', { name: this.text('transcripts.audio.record'), exact: true });
  }

  get stopButton() {
    return this.form.getByRole('button', { name: this.text('transcripts.audio.stop'), exact: true });
  }

  get timer() {
    return this.form.getByRole('timer', { name: this.text('transcripts.audio.timer'), exact: true });
  }

  get submitNow() {
    return this.form.getByRole('checkbox', { name: this.text('transcripts.submitNow'), exact: true });
  }

  /** <audio controls> has no ARIA role; its aria-label names it. */
  player(scope: Locator) {
    return scope.getByLabel(this.text('transcripts.audio.play'), { exact: true });
  }

  progress(item: Locator) {
    return item.getByRole('progressbar', { name: this.text('transcripts.audio.uploadProgress'), exact: true });
  }

  uploaded(item: Locator) {
    return item.getByText(this.text('transcripts.audio.uploaded'), { exact: true });
  }

  statusPill(item: Locator, status: 'queued' | 'processing' | 'done') {
    return item.getByText(this.text(`transcripts.status.${status}`), { exact: true });
  }

  loadButton(item: Locator) {
    return item.getByRole('button', { name: this.text('transcripts.audio.load'), exact: true });
  }

  result(item: Locator) {
    return item.getByRole('group', { name: this.text('transcripts.resultTitle'), exact: true });
  }

  deleteButton(item: Locator) {
    return item.getByRole('button', { name: this.text('transcripts.delete'), exact: true });
  }

  confirmDeleteButton(item: Locator) {
    return item.getByRole('button', { name: this.text('transcripts.confirmDelete'), exact: true });
  }

  /** Recordings kept in the app's audio database ('duet-audio'). */
  storedRecordings(): Promise<number> {
    return this.page.evaluate(
      () =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open('duet-audio');
          open.onerror = () => reject(new Error('duet-audio did not open'));
          open.onsuccess = () => {
            const db = open.result;
            const count = db.transaction('recordings').objectStore('recordings').count();
            count.onsuccess = () => {
              resolve(count.result);
              db.close();
            };
          };
        }),
    );
  }

  /** Records for about `ms` with the fake microphone, checking that the timer runs. */
  async record(ms: number): Promise<void> {
    await this.recordButton.click();
    await this.timer.waitFor();
    await this.page.waitForTimeout(ms);
    expect(await this.timer.innerText()).toMatch(/^00:0[1-9]$/);
    await this.stopButton.click();
    await this.player(this.form).waitFor();
  }
}

/** Whether the audio element can play its source (metadata decoded from the blob). */
async function playable(player: Locator): Promise<{ src: string; ready: boolean }> {
  return player.evaluate(async (element) => {
    const audio = element as HTMLAudioElement;
    if (audio.readyState < 1) {
      await new Promise<void>((resolve) => {
        audio.addEventListener('loadedmetadata', () => resolve(), { once: true });
        audio.addEventListener('error', () => resolve(), { once: true });
        audio.load();
      });
    }
    return { src: audio.currentSrc, ready: audio.readyState >= 1 && audio.error === null };
  });
}

/** Records every value the page's progress bars take, from now on. */
async function watchProgress(page: Page): Promise<() => Promise<number[]>> {
  await page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __progress: number[] }).__progress = seen;
    const read = () => document.querySelectorAll('progress').forEach((p) => seen.push(p.max > 0 ? p.value / p.max : 0));
    new MutationObserver(read).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['value'] });
  });
  return () => page.evaluate(() => (window as unknown as { __progress: number[] }).__progress);
}

/** Waits for `locator`, reloading the page between tries (a pull runs at start). */
async function eventually(page: Page, locator: Locator, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await locator.first().waitFor({ timeout: 10_000 });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await page.reload();
    }
  }
}

describe('transcript audio', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('a recording made offline survives a reload, uploads when online and plays on another device', async () => {
    const user = newUser('Lena');
    const phone = await openProfile({ extraArgs: FAKE_MICROPHONE });
    profiles.push(phone);
    await phone.context.grantPermissions(['microphone'], { origin: session.url });
    const app = new DuetApp(phone.page);
    const audio = new TranscriptAudio(phone.page);
    const text = 'Lena: We should book the cabin by the lake.\nTom: Yes, and bring the good coffee.';

    await signUp(app, session.url, user);
    await app.status.waitForAllSent();
    await ensureServiceWorkerControl(phone.page);
    await app.transcripts.open();

    // Offline: record about two seconds and save the transcript, submitted for processing.
    await phone.context.setOffline(true);
    await app.status.offline.waitFor();
    await app.transcripts.textInput.fill(text);
    await audio.record(2_200);
    expect((await playable(audio.player(audio.form))).ready).toBe(true);
    await audio.submitNow.check();
    await app.transcripts.saveButton.click();
    const item = app.transcripts.item('We should book the cabin');
    await item.waitFor();
    await audio.progress(item).waitFor();
    expect(await item.innerText()).toContain(uiText('en', 'transcripts.notSent'));
    await item.scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'audio-recorded-offline');

    // An offline reload: the transcript and its recording are still on the device and play.
    await phone.page.reload();
    await app.transcripts.heading.waitFor({ timeout: 15_000 });
    await item.waitFor();
    const offlinePlayback = await playable(audio.player(item));
    expect(offlinePlayback.src).toMatch(/^blob:/);
    expect(offlinePlayback.ready).toBe(true);
    expect(await audio.progress(item).getAttribute('value')).toBe('0');
    expect(await audio.uploaded(item).count()).toBe(0);

    // Online: the transcript is sent, then the audio uploads with visible progress.
    const progressValues = await watchProgress(phone.page);
    await phone.context.setOffline(false);
    // A slow uplink (8 KiB/s), so the upload takes a few seconds and its progress shows.
    const cdp = await phone.context.newCDPSession(phone.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 8 * 1024 });
    await item.getByText(uiPattern('en', 'transcripts.audio.uploading')).waitFor({ timeout: 30_000 });
    await audio.uploaded(item).waitFor({ timeout: 45_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    expect(await audio.progress(item).count()).toBe(0);
    const seen = await progressValues();
    expect(seen.some((fraction) => fraction > 0 && fraction < 1)).toBe(true);
    await audio.statusPill(item, 'done').waitFor({ timeout: 60_000 });
    await audio.result(item).waitFor();
    await item.scrollIntoViewIfNeeded();
    await screenshot(phone.page, 'audio-uploaded');

    // The user's other device: the transcript with "Audio uploaded", processed, and playable.
    const tablet = await openProfile();
    profiles.push(tablet);
    const other = new DuetApp(tablet.page);
    const otherAudio = new TranscriptAudio(tablet.page);
    await logIn(other, session.url, user);
    await other.transcripts.open();
    const otherItem = other.transcripts.item('We should book the cabin');
    await eventually(tablet.page, otherAudio.uploaded(otherItem));
    await eventually(tablet.page, otherAudio.statusPill(otherItem, 'done'));
    const result = await otherAudio.result(otherItem).innerText();
    expect(result).toContain('Lena');
    expect(result).toContain('Tom');
    await otherAudio.loadButton(otherItem).click();
    const remotePlayback = await playable(otherAudio.player(otherItem));
    expect(remotePlayback.src).toMatch(/^blob:/);
    expect(remotePlayback.ready).toBe(true);
    await otherItem.scrollIntoViewIfNeeded();
    await screenshot(tablet.page, 'audio-other-device');

    // Deleting the transcript on the phone deletes its recording there too.
    expect(await audio.storedRecordings()).toBe(1);
    await audio.deleteButton(item).click();
    await audio.confirmDeleteButton(item).click();
    await item.waitFor({ state: 'detached' });
    // The item goes as soon as the deletion is stored; the recording is deleted right after it.
    await expect.poll(() => audio.storedRecordings(), { timeout: 10_000 }).toBe(0);
  });

  test('without a microphone, recording says why in plain words', async () => {
    const user = newUser('Noor');
    // No fake device: headless Chromium has no microphone to give.
    const laptop = await openProfile();
    profiles.push(laptop);
    const app = new DuetApp(laptop.page);
    const audio = new TranscriptAudio(laptop.page);
    await signUp(app, session.url, user);
    await app.transcripts.open();
    await audio.recordButton.click();
    const alert = audio.form.getByRole('alert');
    await alert.waitFor();
    const reasons = ['no_microphone', 'permission_denied', 'microphone_busy'].map((code) =>
      audio.text(`transcripts.audio.recorderError.${code}`),
    );
    expect(reasons).toContain(await alert.innerText());
    expect(await audio.stopButton.count()).toBe(0);
  });
});
