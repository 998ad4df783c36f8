/**
 * System notifications (the Notification API) while the app is open but hidden: a partner's new
 * message, or a finished analysis. Only with the setting on (off by default) and the browser's
 * permission. Not spammy: nothing while the app is visible, one notification per conversation
 * (a newer one replaces it, by tag) and one for analyses.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient, type ConversationView } from '../data/index.ts';
import { excerpt } from './excerpt.ts';
import { usePreferences } from './preferences.ts';

export function systemNotificationsSupported(): boolean {
  return typeof Notification !== 'undefined';
}

export function useSystemNotifications(): void {
  const client = useDuetClient();
  const { t } = useTranslation();
  const [{ systemNotifications }] = usePreferences();

  useEffect(() => {
    if (!systemNotifications || !systemNotificationsSupported()) return;
    // Each conversation's last message when the page was hidden: only what comes after is news.
    // Reading from there keeps each check as small as what arrived, however long the conversations.
    let baseline: { last: Map<string, LastSeen>; notifications: Set<string> } | null = null;
    let stopped = false;
    const snapshot = async () => {
      const [conversations, notifications] = await Promise.all([client.read.conversations(), client.read.notifications()]);
      return { conversations, notifications };
    };
    const hidden = () => document.visibilityState === 'hidden';

    const onVisibility = () => {
      baseline = null;
      if (!hidden()) return;
      void snapshot().then(({ conversations, notifications }) => {
        if (stopped || !hidden()) return;
        baseline = { last: lastMessages(conversations), notifications: new Set(notifications.map((n) => n.id)) };
      });
    };

    const check = async () => {
      const before = baseline;
      if (!before || !hidden() || Notification.permission !== 'granted') return;
      const [{ conversations, notifications }, me] = await Promise.all([snapshot(), client.read.me()]);
      if (stopped || baseline !== before) return;
      const names = new Map(me?.spaces.flatMap((s) => s.members.map((m) => [m.userId, m.displayName] as const)) ?? []);
      const myId = me?.user.id;
      for (const conversation of conversations) {
        const last = conversation.lastMessage;
        const seen = before.last.get(conversation.id);
        if (!last || (seen && seen.id === last.id)) continue;
        before.last.set(conversation.id, { id: last.id, createdAt: last.createdAt });
        const arrived = await client.read.messages(conversation.id, {
          last: NEWS_PER_CONVERSATION,
          ...(seen ? { after: [seen.createdAt, seen.id] as const } : {}),
        });
        // One per conversation: the partner's newest.
        const newest = arrived.findLast((m) => m.authorId !== myId && !m.deleted);
        if (stopped || baseline !== before || !newest) continue;
        show(
          t('notifications.systemMessage', { name: names.get(newest.authorId) ?? t('notifications.yourPartner') }),
          excerpt(newest.body, 120),
          `message-${conversation.id}`,
        );
      }
      const analyses = notifications.filter((n) => !before.notifications.has(n.id) && n.type === 'analysis_done' && n.readAt === null);
      for (const n of notifications) before.notifications.add(n.id);
      if (analyses.length > 0) show(t('notifications.systemTitle'), t('notifications.systemAnalysis'), 'analysis');
    };

    document.addEventListener('visibilitychange', onVisibility);
    onVisibility();
    const detach = client.onLocalChange((stores) => {
      if (stores.includes('messages') || stores.includes('notifications')) void check();
    });
    return () => {
      stopped = true;
      detach();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [client, systemNotifications, t]);
}

interface LastSeen {
  id: string;
  createdAt: number;
}

/** How many of a conversation's newest messages a check looks at for the partner's newest. */
const NEWS_PER_CONVERSATION = 50;

function lastMessages(conversations: readonly ConversationView[]): Map<string, LastSeen> {
  const last = new Map<string, LastSeen>();
  for (const c of conversations) if (c.lastMessage) last.set(c.id, { id: c.lastMessage.id, createdAt: c.lastMessage.createdAt });
  return last;
}

function show(title: string, body: string, tag: string): void {
  try {
    const lang = document.documentElement.lang;
    const notification = new Notification(title, { body, tag, ...(lang ? { lang } : {}) });
    notification.onclick = () => {
      window.focus();
      notification.close();
    };
  } catch {
    // Some platforms only allow notifications from a service worker: nothing to show then.
  }
}
