/**
 * Every screen, in English and in Arabic (right to left), at 360×740: axe-core finds no violation
 * (WCAG 2.1 A/AA and best practice), and a screenshot of each is kept in e2e/artifacts/.
 * The screens carry real content: a linked partner, a conversation with messages, transcripts.
 */
import { describe, expect, test } from 'vitest';
import { axeViolations, describeViolations } from '../support/axe.ts';
import { screenshot } from '../support/browser.ts';
import { linkPartners } from '../support/duet-flows.ts';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { DuetApp } from '../support/pages/index.ts';
import type { Language } from '../support/pages/index.ts';
import { specSession } from '../support/spec-session.ts';

describe('every screen', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('has no axe violation, in English and in Arabic, and is photographed at 360×740', async () => {
    screenshotsOnFailure('screens', () => profiles);
    const { alex, sam, alexUser, samUser, alexProfile } = await session.signUpPair();
    await linkPartners(alex, alexUser, sam, samUser, session.url);
    await alex.conversations.open();
    await alex.conversations.create('Weekend plans', 'shared');
    await alex.conversations.openConversation('Weekend plans');
    await alex.conversation.send('Shall we go to the coast on Saturday?');
    await alex.conversation.send('Or the hills, if it rains.');
    await alex.transcripts.open();
    // Two analysed transcripts: each has a result (once several regions with the same name).
    for (const text of ['Alex: we talked about the weekend\nSam: the coast sounds good', 'Sam: and the hills if it rains']) {
      await alex.transcripts.textInput.fill(text);
      await alex.transcripts.submitNow.check();
      await alex.transcripts.saveButton.click();
      await alex.transcripts.statusPill(text.slice(0, 12), 'done').waitFor({ timeout: 60_000 });
    }
    await alex.transcripts.submitNow.uncheck();
    await alex.transcripts.saveDraft('A draft about the holidays');
    await alex.status.waitForAllSent();

    const problems: string[] = [];
    const check = async (language: Language, name: string) => {
      const page = alexProfile.page;
      await page.waitForTimeout(300);
      const violations = await axeViolations(page);
      if (violations.length > 0) problems.push(`${language} ${name}:\n${describeViolations(violations)}`);
      // The header holds its items (name, search, install, the bell with its count) on one row at 360 px.
      const spread = await page.evaluate(() => {
        const middles = [...document.querySelectorAll('.app-header > *')]
          .map((e) => e.getBoundingClientRect())
          .filter((r) => r.height > 0)
          .map((r) => (r.top + r.bottom) / 2);
        return Math.max(...middles) - Math.min(...middles);
      });
      if (spread > 16) problems.push(`${language} ${name}: the header wraps (its items' middles ${Math.round(spread)} px apart)`);
      await screenshot(page, `screen-${language}-${name}`);
    };

    for (const language of ['en', 'ar'] as const) {
      let app = new DuetApp(alexProfile.page, language);
      if (language === 'ar') {
        await alex.settings.open();
        await alex.settings.chooseLanguage('ar');
        app = new DuetApp(alexProfile.page, 'ar');
      }
      await app.conversations.open();
      await app.conversations.link('Weekend plans').waitFor();
      await check(language, 'conversations');
      await app.conversations.openConversation('Weekend plans');
      await app.conversation.message('Or the hills').waitFor();
      await check(language, 'conversation');
      await app.transcripts.open();
      await app.transcripts.item('the hills if it rains').waitFor();
      await check(language, 'transcripts');
      await app.sessions.open();
      await check(language, 'sessions');
      await app.partner.open(session.url);
      await check(language, 'partner');
      await app.settings.open();
      await check(language, 'settings');
      await alexProfile.page.goto(`${session.url}/no-such-screen`);
      await app.notFound.heading.waitFor();
      await check(language, 'not-found');
    }

    // Signed out: the sign-up and log-in screens (in Arabic, which the browser keeps).
    const fresh = new DuetApp(sam.page);
    await sam.settings.open();
    await sam.page.getByRole('button', { name: fresh.settings.text('settings.signOut'), exact: true }).click();
    await fresh.auth.heading('login').waitFor();
    await sam.page.waitForTimeout(300);
    const loginViolations = await axeViolations(sam.page);
    if (loginViolations.length > 0) problems.push(`en login:\n${describeViolations(loginViolations)}`);
    await screenshot(sam.page, 'screen-en-login');
    await fresh.auth.open(session.url, 'signup');
    const signupViolations = await axeViolations(sam.page);
    if (signupViolations.length > 0) problems.push(`en signup:\n${describeViolations(signupViolations)}`);
    await screenshot(sam.page, 'screen-en-signup');

    expect(problems.join('\n\n')).toBe('');
  });
});
