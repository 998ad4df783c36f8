/**
 * Search on the device, offline: messages, conversation titles and transcripts, by prefix and
 * without accents; a result opens its conversation; a message edited or deleted offline is found
 * by its new words only; in Arabic too, right to left.
 */
import { describe, expect, test } from 'vitest';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { ensureServiceWorkerControl, newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp } from '../support/pages/index.ts';
import { MessageActions, SearchPage } from '../support/pages/everyday.ts';

describe('search', () => {
  const session = specSession();

  test('finds messages, titles and transcripts offline, follows edits, and opens the conversation', async () => {
    const phone = await openProfile();
    session.profiles.push(phone);
    const app = new DuetApp(phone.page);
    await signUp(app, session.url, newUser('Noor'));
    await ensureServiceWorkerControl(phone.page);

    await app.conversations.create('Viaje a Lisboa');
    await app.conversations.openConversation('Viaje a Lisboa');
    await app.conversation.send('Reservar el café junto al río');
    await app.conversation.send('The ferry leaves at nine');
    await app.conversations.open();
    await app.conversations.create('مرحبا بالعالم');
    await app.transcripts.open();
    await app.transcripts.saveDraft('Lena: we should book the cabin by the lake');
    await app.status.waitForAllSent();

    // Offline, after a reload: everything is still found.
    await phone.context.setOffline(true);
    await phone.page.reload();
    await app.transcripts.heading.waitFor({ timeout: 15_000 });
    const search = new SearchPage(phone.page);
    await search.open();
    await search.search('cafe rio', 1);
    expect(await search.result('Reservar el café').innerText()).toContain('Viaje a Lisboa');
    await search.search('lisb', 1);
    await search.search('cab', 1);
    expect(await search.result('book the cabin').innerText()).toContain('Transcript');
    await search.search('مرحبا', 1);
    await search.search('zzzz', 0);
    await search.search('ferry', 1);
    await screenshot(phone.page, 'search-results');

    // A result opens its conversation; an edit made there offline is found by its new words.
    await search.result('The ferry leaves').getByRole('link').click();
    await app.conversation.heading('Viaje a Lisboa').waitFor();
    const ferry = app.conversation.message('The ferry leaves at nine');
    await ferry.getByRole('button', { name: app.conversation.text('conversation.edit'), exact: true }).click();
    const editor = phone.page.getByRole('textbox', { name: app.conversation.text('conversation.editLabel'), exact: true });
    await editor.fill('The boat leaves at ten');
    await phone.page.getByRole('button', { name: app.conversation.text('common.save'), exact: true }).click();
    await app.conversation.message('The boat leaves at ten').waitFor();
    await new MessageActions(phone.page).delete('Reservar el café junto al río');
    await search.open();
    await search.search('ferry', 0);
    await search.search('boat', 1);
    await search.search('cafe', 0);

    // In Arabic, right to left.
    await phone.context.setOffline(false);
    await app.settings.open();
    await app.settings.chooseLanguage('ar');
    const arSearch = new SearchPage(phone.page, 'ar');
    await arSearch.open();
    await arSearch.search('مرحبا', 1);
    expect(await phone.page.evaluate(() => document.documentElement.dir)).toBe('rtl');
    await screenshot(phone.page, 'search-ar');
  });
});
