/** The notice shown when the server keeps failing on a change: copy it, or discard it. */
import { Screen } from './screen.ts';

export class UnsendableNotice extends Screen {
  /** The notice (an alert), named by its title ("A change can't be sent"). */
  get root() {
    return this.page.getByRole('alert', { name: this.text('unsendable.title', { count: 1 }), exact: true });
  }

  /** The line quoting the person's text in the change. */
  yourText(text: string) {
    return this.root.getByText(this.text('rejected.yourText', { text }), { exact: true });
  }

  get copyButton() {
    return this.root.getByRole('button', { name: this.text('unsendable.copy'), exact: true });
  }

  get copied() {
    return this.root.getByText(this.text('unsendable.copied'), { exact: true });
  }

  get discardButton() {
    return this.root.getByRole('button', { name: this.text('unsendable.discard'), exact: true });
  }

  get confirmDiscardButton() {
    return this.root.getByRole('button', { name: this.text('unsendable.confirmYes'), exact: true });
  }
}
