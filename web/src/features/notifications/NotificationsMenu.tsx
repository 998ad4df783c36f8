/**
 * The notification list behind a header button with a quiet badge (the number of unread ones, no
 * sound, no animation). Opening the list shows what is new, and marks it read on every device
 * (`notification.read`, synced) once it has been on screen.
 */
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Notification } from '@duet/shared';
import { useNotifications } from '../../data/index.ts';
import { useMutate } from '../../app/use-mutate.ts';
import { useNow } from '../../app/use-now.ts';
import { useFormatters } from '../../i18n/format.ts';

/** At most this many are listed (newest first); older ones stay synced but out of the way. */
const SHOWN = 50;

export function NotificationsMenu() {
  const { t } = useTranslation();
  const { notifications, unread } = useNotifications();
  const [open, setOpen] = useState(false);
  const id = useId();
  const button = useRef<HTMLButtonElement>(null);
  const mutate = useMutate();
  const shown = useMemo(() => notifications?.slice(0, SHOWN) ?? [], [notifications]);
  // Unread ones stay marked "new" for as long as the list is open, though they are read by then.
  const [freshIds, setFreshIds] = useState<ReadonlySet<string>>(new Set());

  const asked = useRef(new Set<string>());

  useEffect(() => {
    if (!open) return;
    const fresh = shown.filter((n) => n.readAt === null && !asked.current.has(n.id));
    if (fresh.length === 0) return;
    setFreshIds((before) => new Set([...before, ...fresh.map((n) => n.id)]));
    for (const n of fresh) {
      asked.current.add(n.id);
      void mutate('notification.read', { id: n.id }).catch(() => asked.current.delete(n.id));
    }
  }, [open, shown, mutate]);

  const close = useCallback(() => {
    setOpen(false);
    setFreshIds(new Set());
    button.current?.focus();
  }, []);

  // Escape closes the list wherever the focus is.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') close();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open, close]);

  return (
    <div className="notifications">
      <button
        ref={button}
        type="button"
        className="button button--small notifications-button"
        aria-expanded={open}
        aria-controls={`${id}-list`}
        onClick={() => (open ? close() : setOpen(true))}
      >
        {/* A bell, with the word for screen readers: the header has room for four items at 360 px. */}
        <svg className="notifications-bell" viewBox="0 0 24 24" width="20" height="20" aria-hidden="true" focusable="false">
          <path
            d="M12 3a6 6 0 0 0-6 6v3.5L4.5 15v1h15v-1L18 12.5V9a6 6 0 0 0-6-6Zm-2 15a2 2 0 0 0 4 0"
            fill="none"
            stroke="currentColor"
            strokeWidth="1.8"
            strokeLinejoin="round"
          />
        </svg>
        <span className="visually-hidden">{t('notifications.button')}</span>
        {unread > 0 && (
          <span className="badge" aria-label={t('notifications.unread', { count: unread })}>
            {unread > 99 ? '99+' : unread}
          </span>
        )}
      </button>
      {open && (
        <section id={`${id}-list`} className="notifications-panel card" aria-label={t('notifications.title')}>
          <h2 className="section-title">{t('notifications.title')}</h2>
          {shown.length === 0 ? (
            <p className="muted">{t('notifications.empty')}</p>
          ) : (
            <ul className="notification-list" aria-label={t('notifications.title')}>
              {shown.map((n) => (
                <NotificationItem key={n.id} notification={n} fresh={freshIds.has(n.id) || n.readAt === null} />
              ))}
            </ul>
          )}
          <button type="button" className="button button--small" onClick={close}>
            {t('notifications.close')}
          </button>
        </section>
      )}
    </div>
  );
}

export function useNotificationText(): (n: Notification) => string {
  const { t } = useTranslation();
  return (n) => t(`notifications.type.${n.type}`, { name: n.actorName ?? t('notifications.yourPartner') });
}

function NotificationItem({ notification, fresh }: { notification: Notification; fresh: boolean }) {
  const { t } = useTranslation();
  const format = useFormatters();
  const now = useNow(30_000);
  const text = useNotificationText();
  return (
    <li className={`notification${fresh ? ' notification--new' : ''}`}>
      <span dir="auto">{text(notification)}</span>
      {fresh && <span className="notification-new">{t('notifications.new')}</span>}
      <time className="muted" dateTime={new Date(notification.at).toISOString()}>
        {format.relative(notification.at, Math.max(now, notification.at))}
      </time>
    </li>
  );
}
