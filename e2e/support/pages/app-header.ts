/** The signed-in header: the app name and, when the browser allows it, "Install app". */
import { Screen } from './screen.ts';

export class AppHeader extends Screen {
  get root() {
    return this.page.getByRole('banner');
  }

  /** "Notifications", with the quiet badge of unread ones inside it. */
  get notificationsButton() {
    return this.root.getByRole('button', { name: new RegExp(`^${this.text('notifications.button')}`) });
  }

  /** The badge saying how many are unread ("2 unread"). */
  unreadBadge(count: number) {
    return this.notificationsButton.getByLabel(this.text('notifications.unread', { count }), { exact: true });
  }

  get notificationList() {
    return this.root.getByRole('list', { name: this.text('notifications.title'), exact: true });
  }

  notification(key: string, vars: Record<string, string> = {}) {
    return this.notificationList.getByRole('listitem').filter({ hasText: this.text(`notifications.type.${key}`, vars) });
  }

  get installButton() {
    return this.root.getByRole('button', { name: this.text('pwa.install'), exact: true });
  }
}
