/**
 * In a shared conversation: whether the partner is online, and who is typing. Both come from the
 * real-time socket; while it is not connected nothing is known, so nothing is shown.
 */
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, usePartnerPresence } from '../../data/index.ts';
import { PartnerAvailability } from '../presence/PartnerAvailability.tsx';
import type { ConversationView, MessageView } from '../../data/index.ts';

export interface Partner {
  userId: string;
  displayName: string;
}

/** The other members of the conversation's space; empty for a personal conversation. */
export function useConversationPartners(conversation: ConversationView | null | undefined): Partner[] {
  const me = useMe();
  if (!conversation || !me) return [];
  const space = me.spaces.find((s) => s.id === conversation.spaceId);
  if (!space || space.kind !== 'shared') return [];
  return space.members.filter((m) => m.userId !== me.user.id);
}

/** "Maria is recording" / "Maria is online" / "Maria was last seen …", one line per partner. */
export function PartnerStatus({ partners }: { partners: Partner[] }) {
  return <PartnerAvailability partners={partners} />;
}

/**
 * When (on this device's clock) the latest message of each author arrived here. The server never
 * says "stopped typing"; a message from the partner is the surest sign they did.
 */
function useMessageArrivals(messages: MessageView[] | undefined): Readonly<Record<string, number>> {
  const [arrivals, setArrivals] = useState<Readonly<Record<string, number>>>({});
  const last = messages?.at(-1);
  const lastId = last?.id;
  const lastAuthor = last?.authorId;
  useEffect(() => {
    if (lastAuthor !== undefined) setArrivals((current) => ({ ...current, [lastAuthor]: Date.now() }));
  }, [lastId, lastAuthor]);
  return arrivals;
}

/**
 * "Maria is typing…", in a polite live region that is always in the page (a region added
 * together with its text is often not announced), empty while nobody types. Typing heard before
 * the partner's latest message arrived is over.
 */
export function TypingIndicator({
  conversationId,
  partners,
  messages,
}: {
  conversationId: string;
  partners: Partner[];
  messages: MessageView[] | undefined;
}) {
  const { t, i18n } = useTranslation();
  const presence = usePartnerPresence(conversationId);
  const arrivals = useMessageArrivals(messages);
  const typing = partners.filter((p) => {
    const view = presence.partners[p.userId];
    return view?.typing === true && view.since > (arrivals[p.userId] ?? 0);
  });
  const names = new Intl.ListFormat(i18n.resolvedLanguage ?? 'en', { type: 'conjunction' }).format(typing.map((p) => p.displayName));
  return (
    <p className="typing-indicator muted" aria-live="polite">
      {typing.length > 0 ? t('conversation.typing', { count: typing.length, names }) : ''}
    </p>
  );
}
