/** Settings: language, account, partner, storage and sign-out. */
import { Screen } from './screen.ts';
import { NavBar } from './nav-bar.ts';
import type { Language } from './strings.ts';

export class SettingsPage extends Screen {
  get heading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('settings.title'), exact: true });
  }

  get languagePicker() {
    return this.page.getByRole('combobox', { name: this.text('settings.language'), exact: true });
  }

  get accountSection() {
    return this.page.getByRole('region', { name: this.text('settings.account'), exact: true });
  }

  get shareActivityToggle() {
    return this.page.getByRole('checkbox', { name: this.text('presence.share'), exact: true });
  }

  get systemNotificationsToggle() {
    return this.page.getByRole('checkbox', { name: this.text('notifications.system'), exact: true });
  }

  get planSection() {
    return this.page.getByRole('region', { name: this.text('billing.title'), exact: true });
  }

  async open(): Promise<void> {
    await new NavBar(this.page, this.uiLanguage).goTo('settings');
    await this.heading.waitFor();
  }

  /** Picks a language; the returned model speaks it, and resolves once the screen is in it. */
  async chooseLanguage(language: Language): Promise<SettingsPage> {
    await this.languagePicker.selectOption(language);
    const next = new SettingsPage(this.page, language);
    await next.heading.waitFor();
    return next;
  }
}
