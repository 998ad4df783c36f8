/** The sessions screen: streaks and the last 7 days, counted on the device. */
import { Screen } from './screen.ts';
import { NavBar } from './nav-bar.ts';

export class SessionsPage extends Screen {
  get heading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('sessions.title'), exact: true });
  }

  get currentStreakLabel() {
    return this.page.getByText(this.text('sessions.currentStreak'), { exact: true });
  }

  async open(): Promise<void> {
    await new NavBar(this.page, this.uiLanguage).goTo('sessions');
    await this.heading.waitFor();
  }
}
