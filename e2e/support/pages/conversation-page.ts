/** One conversation: its title, the message log and the composer. */
import { Screen } from './screen.ts';

export class ConversationPage extends Screen {
  heading(title: string) {
    return this.page.getByRole('heading', { level: 1, name: title, exact: true });
  }

  get messages() {
    return this.page.getByRole('log', { name: this.text('conversation.messagesLabel'), exact: true });
  }

  /** A message (an article named "Message from …") showing `body`. */
  message(body: string) {
    return this.messages.getByRole('article').filter({ hasText: body });
  }

  /** The "not sent yet" mark on a message that is still in the outbox. */
  notSentMark(body: string) {
    return this.message(body).getByText(this.text('conversation.notSent'), { exact: true });
  }

  get composer() {
    return this.page.getByRole('textbox', { name: this.text('conversation.messageLabel'), exact: true });
  }

  get sendButton() {
    return this.page.getByRole('button', { name: this.text('conversation.send'), exact: true });
  }

  get backLink() {
    return this.page.getByRole('link', { name: this.text('conversation.back'), exact: true });
  }

  /** The box that edits a message in place. */
  get editBox() {
    return this.messages.getByRole('textbox', { name: this.text('conversation.editLabel'), exact: true });
  }

  editButton(body: string) {
    return this.message(body).getByRole('button', { name: this.text('conversation.edit'), exact: true });
  }

  deleteButton(body: string) {
    return this.message(body).getByRole('button', { name: this.text('conversation.delete'), exact: true });
  }

  /** Edits the (own) message showing `body` and saves; resolves once the new text shows. */
  async editMessage(body: string, next: string): Promise<void> {
    await this.editButton(body).click();
    await this.editBox.fill(next);
    await this.messages.getByRole('button', { name: this.text('common.save'), exact: true }).click();
    await this.message(next.split('\n')[0] ?? next).waitFor();
  }

  /** Deletes the (own) message showing `body`, confirming; resolves once it is gone. */
  async deleteMessage(body: string): Promise<void> {
    await this.deleteButton(body).click();
    await this.message(body)
      .getByRole('button', { name: this.text('conversation.confirmDelete'), exact: true })
      .click();
    await this.message(body).waitFor({ state: 'detached' });
  }

  async send(body: string): Promise<void> {
    await this.composer.fill(body);
    await this.sendButton.click();
    await this.message(body).waitFor();
  }
}
