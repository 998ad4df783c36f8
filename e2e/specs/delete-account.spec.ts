/**
 * Deleting the account: a wrong password deletes nothing and says so; the right one deletes the
 * account on the server, cleans this device and leaves the partner the shared conversation, where
 * what the person wrote shows as deleted. The account cannot log in again.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { specSession } from '../support/spec-session.ts';
import { screenshot } from '../support/browser.ts';
import { linkPartners } from '../support/duet-flows.ts';
import { uiText } from '../support/pages/index.ts';
import { DeleteAccountSection, MessageActions } from '../support/pages/everyday.ts';

/** Records in the local store's view of messages and conversations. */
function localRecords(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('duet');
        open.onerror = () => reject(new Error('duet did not open'));
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(['messages', 'conversations', 'outbox']);
          const counts = ['messages', 'conversations', 'outbox'].map((s) => tx.objectStore(s).count());
          tx.oncomplete = () => {
            resolve(counts.reduce((sum, c) => sum + c.result, 0));
            db.close();
          };
        };
      }),
  );
}

describe('delete account', () => {
  const session = specSession();

  test('asks for the password, deletes on the server, cleans the device, and the partner keeps the conversation', async () => {
    const { alex, sam, alexUser, samUser } = await session.signUpPair();
    await linkPartners(alex, alexUser, sam, samUser, session.url);
    await alex.conversations.open();
    await alex.conversations.create('Our plans', 'shared');
    await alex.conversations.openConversation('Our plans');
    await alex.conversation.send('Written by Alex');
    await alex.status.waitForAllSent();
    await sam.conversations.open();
    await sam.conversations.openConversation('Our plans');
    await sam.conversation.message('Written by Alex').waitFor({ timeout: 10_000 });
    await sam.conversation.send('Written by Sam');
    expect(await localRecords(alex.page)).toBeGreaterThan(0);

    await alex.settings.open();
    const section = new DeleteAccountSection(alex.page);
    await section.delete('not my password');
    await section.wrongPassword.waitFor({ timeout: 10_000 });
    await section.region.scrollIntoViewIfNeeded();
    await screenshot(alex.page, 'delete-account-wrong-password');

    await section.delete(alexUser.password);
    await alex.auth.heading('signup').waitFor({ timeout: 15_000 });
    expect(await localRecords(alex.page)).toBe(0);

    // The partner keeps the conversation and their own message; Alex's shows as deleted.
    const samActions = new MessageActions(sam.page);
    await samActions.deletedPlaceholders.first().waitFor({ timeout: 15_000 });
    await sam.conversation.message('Written by Sam').waitFor();
    expect(await sam.conversation.message('Written by Alex').count()).toBe(0);
    await screenshot(sam.page, 'delete-account-partner');

    // The account is gone: its password logs in no more.
    await alex.auth.open(session.url, 'login');
    await alex.auth.logIn(alexUser);
    await alex.page.getByText(uiText('en', 'errors.invalid_credentials'), { exact: true }).waitFor({ timeout: 10_000 });
  });
});
