/** The screen for an address inside the app that matches no route. */
import { Screen } from './screen.ts';

export class NotFoundPage extends Screen {
  get heading() {
    return this.page.getByRole('heading', { level: 1, name: this.text('app.notFound.title'), exact: true });
  }

  get backLink() {
    return this.page.getByRole('link', { name: this.text('app.notFound.back'), exact: true });
  }
}
