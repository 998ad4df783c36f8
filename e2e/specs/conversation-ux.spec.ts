/**
 * The conversation screens as a new user meets them (issue 12): long text is cut between
 * graphemes and the app says so, with a counter near the limit (defect 4); focus stays in the
 * composer after Send and returns to the button that opened an editor or question (defect 5);
 * untitled conversations read in the reader's language and a blank rename says why (defect 9);
 * Home reaches the first message at once and the edit box opens in full view (defect 11).
 */
import { describe, expect, test } from 'vitest';
import { screenshot } from '../support/browser.ts';
import { isFocused } from '../support/focus.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';

describe('conversation screens', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('long text is cut between graphemes, with a counter and a sentence saying so', async () => {
    screenshotsOnFailure('limits', () => profiles);
    const { alex } = await session.signUpPair();
    await alex.conversations.open();
    await alex.conversations.titleInput.fill('T'.repeat(250));
    await alex.page.getByText(uiText('en', 'limits.cut', { max: 200 }), { exact: false }).waitFor();
    expect((await alex.conversations.titleInput.inputValue()).length).toBe(200);
    await alex.conversations.titleInput.fill('Long reads');
    await alex.conversations.createButton.click();
    await alex.conversations.openConversation('Long reads');

    await alex.conversation.composer.fill('x'.repeat(25_000));
    expect((await alex.conversation.composer.inputValue()).length).toBe(20_000);
    await alex.page.getByText(uiText('en', 'limits.cut', { max: 20_000 }), { exact: false }).waitFor();
    await alex.page.getByText(uiText('en', 'limits.counter', { count: 20_000, max: 20_000 }), { exact: false }).waitFor();
    await screenshot(alex.page, 'limits-cut');

    // An emoji across the limit is left out whole, never split into half a character.
    await alex.conversation.composer.fill(`${'a'.repeat(19_999)}😀 and more`);
    const kept = await alex.conversation.composer.inputValue();
    expect(kept).toBe('a'.repeat(19_999));
    // Below the cut but near the limit: the counter alone.
    await alex.conversation.composer.fill('b'.repeat(18_500));
    await alex.page.getByText(uiText('en', 'limits.counter', { count: 18_500, max: 20_000 }), { exact: true }).waitFor();
    expect(await alex.page.getByText(uiText('en', 'limits.cut', { max: 20_000 }), { exact: false }).count()).toBe(0);
  });

  test('focus stays in the composer after Send and goes back to what opened an editor or a question', async () => {
    screenshotsOnFailure('focus', () => profiles);
    const { alex } = await session.signUpPair();
    await alex.conversations.open();
    await alex.conversations.create('Focus');
    await alex.conversations.openConversation('Focus');
    await alex.conversation.send('One');
    expect(await isFocused(alex.conversation.composer)).toBe(true);
    await alex.conversation.composer.fill('Two');
    await alex.conversation.composer.press('Enter');
    await alex.conversation.message('Two').waitFor();
    expect(await isFocused(alex.conversation.composer)).toBe(true);

    await alex.conversation.editButton('One').click();
    await alex.conversation.editBox.fill('One, edited');
    await alex.page.getByRole('button', { name: uiText('en', 'common.save'), exact: true }).click();
    await alex.conversation.message('One, edited').waitFor();
    expect(await isFocused(alex.conversation.editButton('One, edited'))).toBe(true);

    await alex.conversation.editButton('Two').click();
    await alex.conversation.editBox.press('Escape');
    expect(await isFocused(alex.conversation.editButton('Two'))).toBe(true);
    await alex.conversation.editButton('Two').click();
    await alex.page.getByRole('button', { name: uiText('en', 'common.cancel'), exact: true }).click();
    expect(await isFocused(alex.conversation.editButton('Two'))).toBe(true);

    await alex.conversation.deleteButton('Two').click();
    await alex.page.keyboard.press('Escape');
    expect(await isFocused(alex.conversation.deleteButton('Two'))).toBe(true);
    await alex.conversation.deleteMessage('Two');
    expect(await isFocused(alex.conversation.composer)).toBe(true);

    await alex.conversation.backLink.click();
    await alex.conversations.rename('Focus', 'Focus renamed');
    expect(await isFocused(alex.conversations.renameButton('Focus renamed'))).toBe(true);
    await alex.conversations.renameButton('Focus renamed').click();
    await alex.conversations.renameInput.press('Escape');
    expect(await isFocused(alex.conversations.renameButton('Focus renamed'))).toBe(true);
    await alex.conversations.archiveButton('Focus renamed').click();
    await alex.conversations.link('Focus renamed').waitFor({ state: 'detached' });
    expect(await isFocused(alex.conversations.heading)).toBe(true);
  });

  test('untitled conversations read in the reader’s language, and a blank rename says why', async () => {
    screenshotsOnFailure('untitled', () => profiles);
    const { alex } = await session.signUpPair();
    await alex.conversations.open();
    await alex.conversations.createButton.click();
    await alex.conversations.link(uiText('en', 'conversations.untitled')).waitFor();

    await alex.conversations.renameButton(uiText('en', 'conversations.untitled')).click();
    await alex.conversations.renameInput.fill('   ');
    await alex.page.getByRole('button', { name: uiText('en', 'common.save'), exact: true }).click();
    await alex.page.getByRole('alert').getByText(uiText('en', 'titles.blankRename'), { exact: true }).waitFor();
    await alex.page.keyboard.press('Escape');

    await alex.settings.open();
    await alex.settings.chooseLanguage('ar');
    const arabic = new DuetApp(alex.page, 'ar');
    await arabic.conversations.open();
    await arabic.conversations.link(uiText('ar', 'conversations.untitled')).waitFor();
    await screenshot(alex.page, 'untitled-arabic');
  });

  test('Home reaches the first message with one press, and the edit box opens in full view', async () => {
    screenshotsOnFailure('home', () => profiles);
    const { alex } = await session.signUpPair();
    await alex.conversations.open();
    await alex.conversations.create('Long');
    await alex.conversations.openConversation('Long');
    for (let n = 1; n <= 40; n += 1) {
      const body = `Message number ${n}${n % 3 === 0 ? '\nwith a second line\nand a third' : ''}`;
      await alex.conversation.composer.fill(body);
      await alex.conversation.composer.press('Enter');
    }
    await alex.conversation.message('Message number 40').waitFor();
    await alex.conversation.messages.focus();
    await alex.page.keyboard.press('Home');
    await alex.conversation.message('Message number 1\n').or(alex.conversation.message('Message number 1')).first().waitFor();
    await expect.poll(() => alex.conversation.messages.evaluate((el) => el.scrollTop), { timeout: 3_000 }).toBe(0);
    await alex.page.keyboard.press('End');
    await alex.conversation.message('Message number 40').waitFor();

    // Editing a message at the bottom edge: the whole box and its buttons are in view.
    await alex.conversation.editButton('Message number 40').click();
    const log = await alex.conversation.messages.boundingBox();
    const save = await alex.page.getByRole('button', { name: uiText('en', 'common.save'), exact: true }).boundingBox();
    const box = await alex.conversation.editBox.boundingBox();
    expect(log && box && save).toBeTruthy();
    if (log && box && save) {
      expect(box.y).toBeGreaterThanOrEqual(log.y - 1);
      expect(save.y + save.height).toBeLessThanOrEqual(log.y + log.height + 1);
    }
    await screenshot(alex.page, 'edit-box-in-view');
  });
});
