/** The everyday features on the conversation screens: list activity, links, replies, deleted messages. */
import { Screen } from './screen.ts';
import { ConversationPage } from './conversation-page.ts';
import { ConversationsPage } from './conversations-page.ts';

export class ConversationActivity extends Screen {
  private readonly list = new ConversationsPage(this.page, this.uiLanguage);

  /** The conversation titles in the order the list shows them. */
  async titles(): Promise<string[]> {
    return this.list.list.getByRole('listitem').locator('.conversation-link').allInnerTexts();
  }

  /** The last-message preview of a row, as the list shows it ("Alex: See you"). */
  previewText(title: string): Promise<string> {
    return this.list.row(title).locator('.conversation-preview').innerText();
  }

  /** The unread badge of a row, found by its accessible text ("2 unread messages"). */
  unread(title: string, count: number) {
    return this.list.row(title).getByText(this.text('everyday.list.unread', { count }), { exact: true });
  }

  /** Any unread badge on a row. */
  anyUnread(title: string) {
    return this.list.row(title).locator('.badge--unread');
  }
}

export class MessageActions extends Screen {
  private readonly conversation = new ConversationPage(this.page, this.uiLanguage);

  /** A link in the message showing `body`, by its text. */
  link(body: string, text: string) {
    return this.conversation.message(body).getByRole('link', { name: text, exact: true });
  }

  links(body: string) {
    return this.conversation.message(body).getByRole('link');
  }

  async reply(toBody: string, text: string): Promise<void> {
    await this.conversation
      .message(toBody)
      .getByRole('button', { name: this.text('everyday.reply.replyTo'), exact: true })
      .click();
    await this.page.getByRole('group', { name: this.text('everyday.reply.replyingLabel'), exact: true }).waitFor();
    await this.conversation.send(text);
  }

  /** The quote at the top of a reply. */
  quote(replyBody: string) {
    return this.conversation.message(replyBody).locator('blockquote');
  }

  /** The placeholder a deleted message leaves. */
  get deletedPlaceholders() {
    return this.conversation.messages.getByRole('article').filter({ hasText: this.text('everyday.message.deleted') });
  }

  async delete(body: string): Promise<void> {
    const message = this.conversation.message(body);
    await message.getByRole('button', { name: this.text('conversation.delete'), exact: true }).click();
    await message.getByRole('button', { name: this.text('conversation.confirmDelete'), exact: true }).click();
  }
}

/** The sync-health panel in Settings. */
export class SyncHealthPanel extends Screen {
  get region() {
    return this.page.getByRole('region', { name: this.text('everyday.health.title'), exact: true });
  }

  /** The value shown for one line of the panel (its <dd>), by the line's label key. */
  value(labelKey: string) {
    return this.region.locator('dt', { hasText: this.text(labelKey) }).locator('xpath=following-sibling::dd[1]');
  }

  get syncNowButton() {
    return this.region.getByRole('button', { name: this.text('everyday.health.syncNow'), exact: true });
  }

  get outcome() {
    return this.region.getByRole('status');
  }
}

/** The search screen, opened from the header. */
export class SearchPage extends Screen {
  get openLink() {
    return this.page.getByRole('link', { name: this.text('everyday.search.open'), exact: true });
  }

  get box() {
    return this.page.getByRole('searchbox', { name: this.text('everyday.search.label'), exact: true });
  }

  get results() {
    return this.page.getByRole('list', { name: this.text('everyday.search.results'), exact: true });
  }

  count(count: number) {
    return this.page.getByRole('status').getByText(this.text('everyday.search.count', { count }), { exact: true });
  }

  async open(): Promise<void> {
    await this.openLink.click();
    await this.box.waitFor();
  }

  /** Types a query and waits for this many results. */
  async search(query: string, expected: number): Promise<void> {
    await this.box.fill(query);
    await this.count(expected).waitFor({ timeout: 15_000 });
  }

  result(text: string) {
    return this.results.getByRole('listitem').filter({ hasText: text });
  }
}

/** Deleting the account, in Settings. */
export class DeleteAccountSection extends Screen {
  get region() {
    return this.page.getByRole('region', { name: this.text('everyday.account.deleteTitle'), exact: true });
  }

  async delete(password: string): Promise<void> {
    const start = this.region.getByRole('button', { name: this.text('everyday.account.deleteStart'), exact: true });
    if (await start.isVisible()) await start.click();
    await this.region.getByLabel(this.text('everyday.account.password'), { exact: true }).fill(password);
    await this.region.getByRole('button', { name: this.text('everyday.account.deleteConfirm'), exact: true }).click();
  }

  get wrongPassword() {
    return this.region.getByText(this.text('everyday.account.wrongPassword'), { exact: true });
  }
}
