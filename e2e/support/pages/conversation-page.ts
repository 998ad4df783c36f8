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

  async send(body: string): Promise<void> {
    await this.composer.fill(body);
    await this.sendButton.click();
    await this.message(body).waitFor();
  }
}
