/** The log-in and sign-up screens. */
import { Screen } from './screen.ts';

export interface Credentials {
  displayName: string;
  email: string;
  password: string;
}

export class AuthPage extends Screen {
  heading(mode: 'login' | 'signup') {
    return this.page.getByRole('heading', { level: 1, name: this.text(mode === 'signup' ? 'auth.signupTitle' : 'auth.loginTitle') });
  }

  get displayName() {
    return this.page.getByRole('textbox', { name: this.text('auth.displayName'), exact: true });
  }

  get email() {
    return this.page.getByRole('textbox', { name: this.text('auth.email'), exact: true });
  }

  /** Password inputs have no ARIA role; the label is their accessible name. */
  get password() {
    return this.page.getByLabel(this.text('auth.password'), { exact: true });
  }

  async open(baseUrl: string, mode: 'login' | 'signup'): Promise<void> {
    await this.page.goto(`${baseUrl}/${mode}`);
    await this.heading(mode).waitFor();
  }

  async signUp(user: Credentials): Promise<void> {
    await this.displayName.fill(user.displayName);
    await this.email.fill(user.email);
    await this.password.fill(user.password);
    await this.page.getByRole('button', { name: this.text('auth.submitSignup'), exact: true }).click();
  }

  async logIn(user: Pick<Credentials, 'email' | 'password'>): Promise<void> {
    await this.email.fill(user.email);
    await this.password.fill(user.password);
    await this.page.getByRole('button', { name: this.text('auth.submitLogin'), exact: true }).click();
  }
}
