/** The tab bar at the bottom of every signed-in screen. */
import { Screen } from './screen.ts';

export type Tab = 'conversations' | 'transcripts' | 'sessions' | 'settings';

export class NavBar extends Screen {
  get root() {
    return this.page.getByRole('navigation', { name: this.text('nav.label'), exact: true });
  }

  link(tab: Tab) {
    return this.root.getByRole('link', { name: this.text(`nav.${tab}`), exact: true });
  }

  async goTo(tab: Tab): Promise<void> {
    await this.link(tab).click();
  }
}
