/** The forgot-password and reset-password screens (reached from the log-in screen and from the reset email). */
import { Screen } from './screen.ts';

export class PasswordPages extends Screen {
  get forgotLink() {
    return this.page.getByRole('link', { name: this.text('passwords.forgotLink'), exact: true });
  }

  get forgotHeading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('passwords.forgotTitle') });
  }

  get resetHeading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('passwords.resetTitle') });
  }

  /** Asks for a reset link and waits for the screen to say one is on its way. */
  async askForLink(email: string): Promise<void> {
    await this.page.getByRole('textbox', { name: this.text('auth.email'), exact: true }).fill(email);
    await this.page.getByRole('button', { name: this.text('passwords.forgotSubmit'), exact: true }).click();
    await this.page
      .getByRole('status')
      .filter({ hasText: this.text('passwords.forgotSent', { email }) })
      .waitFor();
  }

  /** Fills in the new password on the reset screen and submits it. */
  async submitNewPassword(password: string): Promise<void> {
    await this.page.getByLabel(this.text('passwords.newPassword'), { exact: true }).fill(password);
    await this.page.getByRole('button', { name: this.text('passwords.resetSubmit'), exact: true }).click();
  }

  /** Sets the new password and waits for the screen to say it is done. */
  async setNewPassword(password: string): Promise<void> {
    await this.submitNewPassword(password);
    await this.page
      .getByRole('status')
      .filter({ hasText: this.text('passwords.resetDone') })
      .waitFor();
  }

  get logInLink() {
    return this.page.getByRole('link', { name: this.text('passwords.logInNow'), exact: true });
  }

  error(key: string) {
    return this.page.getByRole('alert').filter({ hasText: this.text(key) });
  }
}
