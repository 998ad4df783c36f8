/** The conversations list: the new-conversation form, the list, rename and archive. */
import { Screen } from './screen.ts';
import { NavBar } from './nav-bar.ts';

export class ConversationsPage extends Screen {
  get heading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('conversations.title'), exact: true });
  }

  get titleInput() {
    return this.page.getByRole('textbox', { name: this.text('conversations.newTitleLabel'), exact: true });
  }

  /** "Who can see it": only there once the user has a partner. */
  get visibility() {
    return this.page.getByRole('combobox', { name: this.text('conversations.spaceLabel'), exact: true });
  }

  get createButton() {
    return this.page.getByRole('button', { name: this.text('conversations.create'), exact: true });
  }

  get list() {
    return this.page.getByRole('list', { name: this.text('conversations.title'), exact: true });
  }

  link(title: string) {
    return this.list.getByRole('link', { name: title, exact: true });
  }

  row(title: string) {
    // `has` is matched inside each list item, so its locator starts from the page, not the list.
    return this.list.getByRole('listitem').filter({ has: this.page.getByRole('link', { name: title, exact: true }) });
  }

  /** The "Shared" tag on a row. */
  sharedTag(title: string) {
    return this.row(title).getByText(this.text('conversations.shared'), { exact: true });
  }

  async open(): Promise<void> {
    await new NavBar(this.page, this.uiLanguage).goTo('conversations');
    await this.heading.waitFor();
  }

  /** Creates a conversation; `visibility` picks the space when there is a partner. */
  async create(title: string, visibility?: 'shared' | 'personal'): Promise<void> {
    await this.titleInput.fill(title);
    if (visibility) await this.visibility.selectOption(visibility);
    await this.createButton.click();
    await this.link(title).waitFor();
  }

  renameButton(title: string) {
    return this.page.getByRole('button', { name: this.text('conversations.renameNamed', { title }), exact: true });
  }

  archiveButton(title: string) {
    return this.page.getByRole('button', { name: this.text('conversations.archiveNamed', { title }), exact: true });
  }

  get renameInput() {
    return this.page.getByRole('textbox', { name: this.text('conversations.renameLabel'), exact: true });
  }

  async rename(from: string, to: string): Promise<void> {
    await this.renameButton(from).click();
    const input = this.renameInput;
    await input.fill(to);
    await this.page.getByRole('button', { name: this.text('common.save'), exact: true }).click();
    await this.link(to).waitFor();
  }

  async openConversation(title: string): Promise<void> {
    await this.link(title).click();
    await this.page.getByRole('heading', { level: 1, name: title, exact: true }).waitFor();
  }
}
