/**
 * The notice shown when the user's edit lost to another write: one line ("Your edit was replaced",
 * "Show details"); opened, each item says what happened where, with "Restore my version", or,
 * when a delete won, the lost text with "Copy text" and "Send again as a new message".
 */
import { Screen } from './screen.ts';

export class ConflictsNotice extends Screen {
  /** The notice region, named by its title ("Your edit was replaced", or "N of your edits …"). */
  get root() {
    return this.page.getByRole('region', { name: this.text('conflicts.title', { count: 1 }), exact: true });
  }

  get showButton() {
    return this.root.getByRole('button', { name: this.text('conflictNotice.show'), exact: true });
  }

  /** Opens the notice's details (no-op when they are open). */
  async open(): Promise<void> {
    await this.root.waitFor();
    if ((await this.showButton.count()) > 0) await this.showButton.click();
  }

  /** The line quoting the user's losing value. */
  yourVersion(value: string) {
    return this.root.getByText(this.text('conflicts.yourVersion', { value }), { exact: true });
  }

  /** The link to the conversation the conflict is about. */
  conversationLink(title: string) {
    return this.root.getByRole('link', { name: this.text('conflictNotice.open', { title }), exact: true });
  }

  /** The whole text an edit lost to a delete. */
  get lostText() {
    return this.root.getByRole('blockquote', { name: this.text('conflictNotice.lostText'), exact: true });
  }

  get copyButton() {
    return this.root.getByRole('button', { name: this.text('conflictNotice.copy'), exact: true });
  }

  get sendAgainButton() {
    return this.root.getByRole('button', { name: this.text('conflictNotice.sendAgain'), exact: true });
  }

  get restoreButton() {
    return this.root.getByRole('button', { name: this.text('conflicts.restore'), exact: true });
  }

  get dismissButton() {
    return this.root.getByRole('button', { name: this.text('conflicts.dismiss'), exact: true });
  }
}
