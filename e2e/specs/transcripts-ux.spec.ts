/**
 * Transcripts (issue 12, defects 6 and 9): the whole text of a saved transcript can be read, a
 * draft can be edited, a recording without text can be saved, saving online says "queued" (not
 * "when you're online") and brings the new item into view; the result explains its tone, lists
 * words the way the language does and never breaks a label inside a word, in English and Arabic.
 */
import { describe, expect, test } from 'vitest';
import { openProfile, screenshot } from '../support/browser.ts';
import { newUser, signUp } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';
import { wordsSplitAcrossLines } from '../support/word-breaks.ts';

const FAKE_MICROPHONE = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];

describe('transcripts', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('full text, editable drafts, recordings without text, an honest saved message, the new item in view', async () => {
    screenshotsOnFailure('transcripts-ux', () => profiles);
    const profile = await openProfile({ extraArgs: FAKE_MICROPHONE });
    profiles.push(profile);
    const app = new DuetApp(profile.page);
    await signUp(app, session.url, newUser('Kai'));
    await app.transcripts.open();

    const long = `Kai: ${'we walked along the river and talked about the move, '.repeat(6)}\nLee: and then we had dinner.`;
    await app.transcripts.textInput.fill(long);
    await app.transcripts.saveButton.click();
    await app.transcripts.item('Kai: we walked').waitFor();
    expect(await app.transcripts.item('Kai: we walked').getByText(long, { exact: true }).count()).toBe(0);
    await app.transcripts.showAllButton('Kai: we walked').click();
    await app.transcripts.item('Kai: we walked').getByText('and then we had dinner.', { exact: false }).waitFor();

    await app.transcripts.editButton('Kai: we walked').click();
    const editBox = app.page.getByRole('textbox', { name: uiText('en', 'transcriptText.editLabel'), exact: true });
    await editBox.fill('Kai: a shorter draft now');
    await app.page.getByRole('button', { name: uiText('en', 'common.save'), exact: true }).click();
    await app.transcripts.item('a shorter draft now').waitFor();

    // A recording alone can be saved.
    await app.transcripts.form.getByRole('button', { name: uiText('en', 'transcripts.audio.record'), exact: true }).click();
    await app.page.waitForTimeout(1_500);
    await app.transcripts.form.getByRole('button', { name: uiText('en', 'transcripts.audio.stop'), exact: true }).click();
    await expect.poll(() => app.transcripts.saveButton.isEnabled()).toBe(true);
    await app.transcripts.saveButton.click();
    await app.transcripts.form.getByText(uiText('en', 'transcripts.saved'), { exact: true }).waitFor();
    await app.transcripts.list
      .getByRole('article', {
        name: uiText('en', 'transcripts.itemLabel', { preview: '', status: uiText('en', 'transcripts.status.draft') }),
      })
      .first()
      .waitFor();

    // Online and submitted at once: queued, not "when you're online"; the new item is in view.
    const spoken = 'Kai: I love this happy sunny day and the wonderful river\nLee: yes it is great and good';
    await app.transcripts.textInput.fill(spoken);
    await app.transcripts.submitNow.check();
    await app.transcripts.saveButton.click();
    await app.transcripts.form.getByText(uiText('en', 'transcriptText.queuedOnline'), { exact: true }).waitFor();
    const item = app.transcripts.item('I love this happy sunny day');
    await expect
      .poll(async () => {
        const box = await item.boundingBox();
        return box !== null && box.y >= 0 && box.y < 740;
      })
      .toBe(true);

    await app.transcripts.statusPill('I love this happy', 'done').waitFor({ timeout: 60_000 });
    const result = app.transcripts.result('I love this happy');
    await result.getByText(uiText('en', 'resultText.toneHint'), { exact: true }).waitFor();
    await result
      .getByText(new RegExp(`^${uiText('en', 'resultText.toneWord.positive')} \\(`))
      .first()
      .waitFor();
    expect(await wordsSplitAcrossLines(result, 'dt, strong')).toEqual([]);
    await item.scrollIntoViewIfNeeded();
    await screenshot(app.page, 'transcript-result-en');

    // Arabic, right to left: the Arabic list separator, labels whole.
    await app.settings.open();
    await app.settings.chooseLanguage('ar');
    const arabic = new DuetApp(app.page, 'ar');
    await arabic.transcripts.open();
    const arResult = arabic.transcripts.result('I love this happy');
    await arResult.waitFor();
    const topWords = await arResult.locator('dd').nth(3).innerText();
    expect(topWords).toContain('،');
    expect(topWords).not.toMatch(/\), /);
    expect(await wordsSplitAcrossLines(arResult, 'dt, strong')).toEqual([]);
    await arabic.transcripts.item('I love this happy').scrollIntoViewIfNeeded();
    await screenshot(app.page, 'transcript-result-ar');
  });
});
