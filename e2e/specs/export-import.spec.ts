/**
 * Export and import (docs/export-import.md): Alex writes a message and downloads their data;
 * Sam, a new account, imports the file and sees Alex's conversation with the message.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { screenshot } from '../support/browser.ts';
import { DataTransferSection } from '../support/pages/data-transfer.ts';
import { specSession } from '../support/spec-session.ts';

describe('export and import', () => {
  const session = specSession();

  test('downloads the data of one account and imports it into a new one', async () => {
    const { alex, sam } = await session.signUpPair();
    await alex.conversations.open();
    await alex.conversations.create('Trip notes');
    await alex.conversations.openConversation('Trip notes');
    await alex.conversation.send('Book the train');
    await alex.status.waitForAllSent();

    await alex.settings.open();
    const exporter = new DataTransferSection(alex.page);
    const download = await exporter.download();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'duet-export-'));
    try {
      const file = path.join(dir, download.suggestedFilename());
      await download.saveAs(file);
      expect(download.suggestedFilename()).toMatch(/^duet-export-\d{4}-\d{2}-\d{2}\.zip$/);
      await exporter.downloaded.waitFor({ timeout: 10_000 });

      await sam.settings.open();
      const importer = new DataTransferSection(sam.page);
      await importer.import(file);
      await importer.imported.waitFor({ timeout: 30_000 });
      await importer.region.scrollIntoViewIfNeeded();
      await screenshot(sam.page, 'export-import-imported');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }

    await sam.conversations.open();
    await sam.conversations.link('Trip notes').waitFor({ timeout: 15_000 });
    await sam.conversations.openConversation('Trip notes');
    await sam.conversation.message('Book the train').waitFor({ timeout: 15_000 });
  });
});
