/** Settings → "Your data": downloading the export and importing one (docs/export-import.md). */
import type { Download } from 'playwright-core';
import { Screen } from './screen.ts';

export class DataTransferSection extends Screen {
  get region() {
    return this.page.getByRole('region', { name: this.text('dataTransfer.title'), exact: true });
  }

  /** Clicks "Download my data" and resolves with the browser's download once it is saved. */
  async download(): Promise<Download> {
    const download = this.page.waitForEvent('download', { timeout: 30_000 });
    await this.region.getByRole('button', { name: this.text('dataTransfer.download'), exact: true }).click();
    return download;
  }

  get downloaded() {
    return this.region.getByText(this.text('dataTransfer.downloaded'), { exact: true });
  }

  /** Chooses the zip at `file` and starts the import. */
  async import(file: string): Promise<void> {
    await this.region.getByLabel(this.text('dataTransfer.chooseFile'), { exact: true }).setInputFiles(file);
    await this.region.getByRole('button', { name: this.text('dataTransfer.import'), exact: true }).click();
  }

  /** The message saying what was imported (any counts). */
  get imported() {
    return this.region.getByRole('status').filter({ hasText: /^Imported: / });
  }
}
