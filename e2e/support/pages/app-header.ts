/** The signed-in header: the app name and, when the browser allows it, "Install app". */
import { Screen } from './screen.ts';

export class AppHeader extends Screen {
  get root() {
    return this.page.getByRole('banner');
  }

  get installButton() {
    return this.root.getByRole('button', { name: this.text('pwa.install'), exact: true });
  }
}
