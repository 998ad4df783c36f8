/**
 * A login held back by the limit says how long to wait, in the person's language (issue 12,
 * defect 10): the server sends Retry-After and details.retryAfterSec; the app words it.
 */
import { describe, test } from 'vitest';
import { openProfile, screenshot } from '../support/browser.ts';
import { newUser } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';

describe('login lockout', () => {
  // Two failed logins of one email from one address per 15 minutes.
  const session = specSession({ env: { LOGIN_LIMIT_PER_EMAIL_IP: '2', LOGIN_LIMIT_WINDOW_SEC: '900' } });
  const profiles = session.profiles;

  for (const language of ['en', 'ar'] as const) {
    const inFifteenMinutes = new Intl.RelativeTimeFormat(language, { numeric: 'always' }).format(15, 'minute');
    test(`says how long to wait (${language})`, async () => {
      screenshotsOnFailure(`lockout-${language}`, () => profiles);
      const profile = await openProfile();
      profiles.push(profile);
      const app = new DuetApp(profile.page, language);
      const user = newUser('Robin');
      await new DuetApp(profile.page).auth.open(session.url, 'login');
      if (language !== 'en') {
        await profile.page.getByRole('combobox', { name: uiText('en', 'settings.language'), exact: true }).selectOption(language);
        await app.auth.heading('login').waitFor();
      }
      const wrong = { email: user.email, password: 'not-the-password' };
      for (let attempt = 0; attempt < 2; attempt += 1) {
        await app.auth.logIn(wrong);
        await profile.page.getByRole('alert').getByText(uiText(language, 'errors.invalid_credentials'), { exact: true }).waitFor();
      }
      await app.auth.logIn(wrong);
      const message = uiText(language, 'errors.rate_limited_wait', { when: inFifteenMinutes });
      await profile.page.getByRole('alert').getByText(message, { exact: true }).waitFor();
      await screenshot(profile.page, `login-lockout-${language}`);
    });
  }
});
