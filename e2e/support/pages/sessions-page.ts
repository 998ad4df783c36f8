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

  /** The figure of a stat card ("Sessions, last 7 days" → "1"), by its label's key. */
  async stat(labelKey: string): Promise<string> {
    const label = this.text(labelKey);
    const card = this.page.getByRole('group', { name: label, exact: true });
    return (await card.innerText()).replace(label, '').trim();
  }

  async open(): Promise<void> {
    await new NavBar(this.page, this.uiLanguage).goTo('sessions');
    await this.heading.waitFor();
  }
}
