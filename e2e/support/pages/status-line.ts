/** The sync status line under the header: connection, waiting changes, last sync, errors. */
import { Screen } from './screen.ts';
import { uiPattern } from './strings.ts';

export class StatusLine extends Screen {
  get root() {
    return this.page.getByRole('status', { name: this.text('status.label'), exact: true });
  }

  /** The status line while it shows `text` (a string or a pattern). */
  showing(text: string | RegExp) {
    return this.root.filter({ hasText: text });
  }

  /** The status line while it says some changes are waiting, however many. */
  get changesWaiting() {
    return this.showing(uiPattern(this.uiLanguage, 'status.pending'));
  }

  /** The status line while it says every change was sent. */
  get allSent() {
    return this.showing(this.text('status.allSaved'));
  }

  /** The status line while it says the device is offline. */
  get offline() {
    return this.showing(this.text('status.offline'));
  }

  /** "Try again now", offered after a failed sync while the browser thinks it is online. */
  get retryButton() {
    return this.root.getByRole('button', { name: this.text('status.retry'), exact: true });
  }

  async waitForChangesWaiting(timeout = 15_000): Promise<void> {
    await this.changesWaiting.waitFor({ timeout });
  }

  async waitForAllSent(timeout = 20_000): Promise<void> {
    await this.allSent.waitFor({ timeout });
  }
}
