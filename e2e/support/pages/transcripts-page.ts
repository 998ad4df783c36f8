/** The transcripts screen: the new-transcript form and the list of transcripts. */
import { Screen } from './screen.ts';
import { NavBar } from './nav-bar.ts';

export class TranscriptsPage extends Screen {
  get heading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('transcripts.title'), exact: true });
  }

  get form() {
    return this.page.getByRole('form', { name: this.text('transcripts.new'), exact: true });
  }

  get textInput() {
    return this.form.getByRole('textbox', { name: this.text('transcripts.text'), exact: true });
  }

  get languagePicker() {
    return this.form.getByRole('combobox', { name: this.text('transcripts.language'), exact: true });
  }

  get conversation() {
    return this.form.getByRole('combobox', { name: this.text('transcripts.conversation'), exact: true });
  }

  get saveButton() {
    return this.form.getByRole('button', { name: this.text('transcripts.save'), exact: true });
  }

  get list() {
    return this.page.getByRole('list', { name: this.text('transcripts.listTitle'), exact: true });
  }

  /** A transcript in the list whose text contains `text`. */
  item(text: string) {
    return this.list.getByRole('article').filter({ hasText: text });
  }

  /** The "not sent yet" mark on a transcript still in the outbox. */
  notSentMark(text: string) {
    return this.item(text).getByText(this.text('transcripts.notSent'), { exact: true });
  }

  get submitNow() {
    return this.form.getByRole('checkbox', { name: this.text('transcripts.submitNow'), exact: true });
  }

  /** The transcript's status pill ("Queued", "Processing", "Done"). */
  statusPill(text: string, status: 'draft' | 'queued' | 'processing' | 'done' | 'failed') {
    return this.item(text).getByText(this.text(`transcripts.status.${status}`), { exact: true });
  }

  result(text: string) {
    return this.item(text).getByRole('group', { name: this.text('transcripts.resultTitle'), exact: true });
  }

  showAllButton(text: string) {
    return this.item(text).getByRole('button', { name: this.text('transcriptText.showAll'), exact: true });
  }

  editButton(text: string) {
    return this.item(text).getByRole('button', { name: this.text('transcriptText.edit'), exact: true });
  }

  async open(): Promise<void> {
    await new NavBar(this.page, this.uiLanguage).goTo('transcripts');
    await this.heading.waitFor();
  }

  /** Saves a draft transcript, optionally linked to a conversation (by its title). */
  async saveDraft(text: string, options: { conversationTitle?: string } = {}): Promise<void> {
    await this.textInput.fill(text);
    if (options.conversationTitle) await this.conversation.selectOption({ label: options.conversationTitle });
    await this.saveButton.click();
    await this.form.getByText(this.text('transcripts.saved'), { exact: true }).waitFor();
    await this.item(text).waitFor();
  }
}
