/**
 * System notifications (the Notification API) while the app is open but hidden: a partner's new
 * message, or a finished analysis. Only with the setting on (off by default) and the browser's
 * permission. Not spammy: nothing while the app is visible, one notification per conversation
 * (a newer one replaces it, by tag) and one for analyses.
 */
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useDuetClient } from '../data/index.ts';
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
    // What was there when the page was hidden: only what arrives after is news.
    let baseline: { messages: Set<string>; notifications: Set<string> } | null = null;
    let stopped = false;
    const snapshot = async () => {
      const [messages, notifications] = await Promise.all([client.read.partnerMessages(), client.read.notifications()]);
      return { messages, notifications };
    };
    const hidden = () => document.visibilityState === 'hidden';

    const onVisibility = () => {
      baseline = null;
      if (!hidden()) return;
      void snapshot().then(({ messages, notifications }) => {
        if (stopped || !hidden()) return;
        baseline = { messages: new Set(messages.map((m) => m.id)), notifications: new Set(notifications.map((n) => n.id)) };
      });
    };

    const check = async () => {
      const before = baseline;
      if (!before || !hidden() || Notification.permission !== 'granted') return;
      const [{ messages, notifications }, me] = await Promise.all([snapshot(), client.read.me()]);
      if (stopped || baseline !== before) return;
      const names = new Map(me?.spaces.flatMap((s) => s.members.map((m) => [m.userId, m.displayName] as const)) ?? []);
      const byConversation = new Map<string, (typeof messages)[number]>();
      for (const m of messages) {
        if (before.messages.has(m.id)) continue;
        before.messages.add(m.id);
        const shown = byConversation.get(m.conversationId);
        if (!shown || m.createdAt > shown.createdAt) byConversation.set(m.conversationId, m);
      }
      for (const m of byConversation.values()) {
        show(
          t('notifications.systemMessage', { name: names.get(m.authorId) ?? t('notifications.yourPartner') }),
          excerpt(m.body, 120),
          `message-${m.conversationId}`,
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
