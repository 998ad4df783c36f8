/** What every page model shares: the page, the UI language its names are in, and a text lookup. */
import type { Page } from 'playwright-core';
import { uiText } from './strings.ts';
import type { Language, Vars } from './strings.ts';

export abstract class Screen {
  constructor(
    readonly page: Page,
    readonly uiLanguage: Language = 'en',
  ) {}

  /** The app's string for `key` in this model's language. */
  text(key: string, vars?: Vars): string {
    return uiText(this.uiLanguage, key, vars);
  }
}
