/** Every page model of the Duet app for one browser page, in one UI language. */
import type { Page } from 'playwright-core';
import { AppHeader } from './app-header.ts';
import { AuthPage } from './auth-page.ts';
import { ConflictsNotice } from './conflicts-notice.ts';
import { ConversationPage } from './conversation-page.ts';
import { ConversationsPage } from './conversations-page.ts';
import { NavBar } from './nav-bar.ts';
import { NotFoundPage } from './not-found-page.ts';
import { PasswordPages } from './password-pages.ts';
import { PartnerPage } from './partner-page.ts';
import { SessionsPage } from './sessions-page.ts';
import { SettingsPage } from './settings-page.ts';
import { StatusLine } from './status-line.ts';
import type { Language } from './strings.ts';
import { TranscriptsPage } from './transcripts-page.ts';
import { UnsendableNotice } from './unsendable-notice.ts';

export class DuetApp {
  readonly header: AppHeader;
  readonly auth: AuthPage;
  readonly nav: NavBar;
  readonly status: StatusLine;
  readonly conversations: ConversationsPage;
  readonly conversation: ConversationPage;
  readonly transcripts: TranscriptsPage;
  readonly sessions: SessionsPage;
  readonly settings: SettingsPage;
  readonly partner: PartnerPage;
  readonly conflicts: ConflictsNotice;
  readonly unsendable: UnsendableNotice;
  readonly notFound: NotFoundPage;
  readonly passwords: PasswordPages;

  constructor(
    readonly page: Page,
    readonly language: Language = 'en',
  ) {
    this.header = new AppHeader(page, language);
    this.auth = new AuthPage(page, language);
    this.nav = new NavBar(page, language);
    this.status = new StatusLine(page, language);
    this.conversations = new ConversationsPage(page, language);
    this.conversation = new ConversationPage(page, language);
    this.transcripts = new TranscriptsPage(page, language);
    this.sessions = new SessionsPage(page, language);
    this.settings = new SettingsPage(page, language);
    this.partner = new PartnerPage(page, language);
    this.conflicts = new ConflictsNotice(page, language);
    this.unsendable = new UnsendableNotice(page, language);
    this.notFound = new NotFoundPage(page, language);
    this.passwords = new PasswordPages(page, language);
  }
}

export {
  AppHeader,
  AuthPage,
  ConflictsNotice,
  ConversationPage,
  ConversationsPage,
  NavBar,
  NotFoundPage,
  PartnerPage,
  SessionsPage,
  SettingsPage,
  StatusLine,
  TranscriptsPage,
  UnsendableNotice,
};
export type { Credentials } from './auth-page.ts';
export type { Language } from './strings.ts';
export { uiPattern, uiText } from './strings.ts';
