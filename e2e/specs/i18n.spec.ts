/**
 * Languages: choosing Arabic in Settings turns the whole document right-to-left and Arabic,
 * Spanish turns it back; the choice survives a reload; a browser set to Spanish starts in Spanish.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshotsOnFailure } from '../support/failure-screenshots.ts';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { newUser, signUp } from '../support/duet-flows.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';

function documentLanguage(page: Page): Promise<{ lang: string; dir: string }> {
  return page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
}

describe('languages', () => {
  const session = specSession();
  const profiles = session.profiles;

  test('Arabic in Settings makes the app right-to-left and Arabic; Spanish makes it Spanish', async () => {
    screenshotsOnFailure('i18n', () => profiles);
    const profile = await openProfile({ locale: 'en-US' });
    profiles.push(profile);
    const { page } = profile;
    const english = new DuetApp(page);
    await signUp(english, session.url, newUser('Noor'));
    expect(await documentLanguage(page)).toEqual({ lang: 'en', dir: 'ltr' });
    await english.settings.open();

    const arabicSettings = await english.settings.chooseLanguage('ar');
    await expect.poll(() => documentLanguage(page)).toEqual({ lang: 'ar', dir: 'rtl' });
    const arabic = new DuetApp(page, 'ar');
    // Known strings from ar.json: the Settings heading, the tab bar, the status line.
    await arabicSettings.heading.waitFor();
    expect(await arabicSettings.heading.innerText()).toBe('الإعدادات');
    await arabic.nav.link('conversations').waitFor();
    await arabic.status.allSent.waitFor();
    await screenshot(page, 'i18n-settings-arabic');
    await arabic.conversations.open();
    await arabic.conversations.create('رحلة الصيف');
    await screenshot(page, 'i18n-conversations-arabic');

    // The choice is remembered on this device.
    await page.reload();
    await arabic.conversations.heading.waitFor();
    expect(await documentLanguage(page)).toEqual({ lang: 'ar', dir: 'rtl' });

    await arabic.settings.open();
    const spanishSettings = await arabic.settings.chooseLanguage('es');
    await expect.poll(() => documentLanguage(page)).toEqual({ lang: 'es', dir: 'ltr' });
    expect(await spanishSettings.heading.innerText()).toBe('Ajustes');
    const spanish = new DuetApp(page, 'es');
    await spanish.nav.link('transcripts').waitFor();
    expect(await spanish.nav.root.innerText()).toContain(uiText('es', 'nav.conversations'));
    await screenshot(page, 'i18n-settings-spanish');
  });

  test('a browser set to Spanish (es-ES) starts in Spanish', async () => {
    screenshotsOnFailure('i18n', () => profiles);
    const profile = await openProfile({ locale: 'es-ES' });
    profiles.push(profile);
    const { page } = profile;
    const spanish = new DuetApp(page, 'es');
    await spanish.auth.open(session.url, 'login');
    expect(await documentLanguage(page)).toEqual({ lang: 'es', dir: 'ltr' });
    expect(await spanish.auth.heading('login').innerText()).toBe('Iniciar sesión');
    await spanish.auth.open(session.url, 'signup');
    await spanish.auth.signUp(newUser('Lucia'));
    await spanish.conversations.heading.waitFor({ timeout: 20_000 });
    expect(await spanish.conversations.heading.innerText()).toBe('Conversaciones');
    await spanish.settings.open();
    expect(await spanish.settings.languagePicker.inputValue()).toBe('es');
  });

  test('a browser set to Arabic (ar-EG) starts right-to-left', async () => {
    screenshotsOnFailure('i18n', () => profiles);
    const profile = await openProfile({ locale: 'ar-EG' });
    profiles.push(profile);
    const { page } = profile;
    const arabic = new DuetApp(page, 'ar');
    await arabic.auth.open(session.url, 'login');
    expect(await documentLanguage(page)).toEqual({ lang: 'ar', dir: 'rtl' });
    await screenshot(page, 'i18n-login-arabic');
  });
});
