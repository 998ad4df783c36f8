/** The notice shown when the user's edit lost to another write, with "Restore my version". */
import { Screen } from './screen.ts';

export class ConflictsNotice extends Screen {
  /** The notice region, named by its title ("Your edit was replaced", or "N of your edits …"). */
  get root() {
    return this.page.getByRole('region', { name: this.text('conflicts.title', { count: 1 }), exact: true });
  }

  /** The line quoting the user's losing value. */
  yourVersion(value: string) {
    return this.root.getByText(this.text('conflicts.yourVersion', { value }), { exact: true });
  }

  get restoreButton() {
    return this.root.getByRole('button', { name: this.text('conflicts.restore'), exact: true });
  }

  get dismissButton() {
    return this.root.getByRole('button', { name: this.text('conflicts.dismiss'), exact: true });
  }
}
