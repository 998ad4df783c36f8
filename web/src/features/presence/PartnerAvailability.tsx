/**
 * Where a partner is, in words: "Maria is recording", "Maria is online", "Maria was last seen
 * 5 minutes ago". Shown wherever the partner's name is (a conversation, the partner screen).
 * While the socket is not connected nothing is known, so nothing is shown.
 */
import { useTranslation } from 'react-i18next';
import { usePartnerPresence } from '../../data/index.ts';
import type { PartnerPresenceView } from '@duet/client';
import { useNow } from '../../app/use-now.ts';
import { useFormatters } from '../../i18n/format.ts';

export interface PartnerRef {
  userId: string;
  displayName: string;
}

export function useAvailabilityText(): (partner: PartnerRef, view: PartnerPresenceView | undefined) => string {
  const { t } = useTranslation();
  const format = useFormatters();
  const now = useNow(30_000);
  return (partner, view) => {
    const name = partner.displayName;
    if (view?.online)
      return view.activity && view.activity !== 'idle'
        ? t(`presence.activity.${view.activity}`, { name })
        : t('conversation.partnerOnline', { name });
    if (view?.lastSeen != null) return t('presence.lastSeen', { name, when: format.relative(view.lastSeen, Math.max(now, view.lastSeen)) });
    return t('conversation.partnerOffline', { name });
  };
}

/** One line per partner, in a list named "Who is here". */
export function PartnerAvailability({ partners }: { partners: PartnerRef[] }) {
  const { t } = useTranslation();
  const presence = usePartnerPresence();
  const describe = useAvailabilityText();
  if (!presence.connected || partners.length === 0) return null;
  return (
    <ul className="partner-presence" aria-label={t('conversation.presenceLabel')}>
      {partners.map((partner) => {
        const view = presence.partners[partner.userId];
        const state = view?.online ? (view.activity ?? 'online') : 'offline';
        return (
          <li key={partner.userId} className="partner-presence-item" data-availability={state}>
            <span className={`status-dot ${view?.online ? 'status-dot--online' : 'status-dot--offline'}`} aria-hidden="true" />
            <span dir="auto">{describe(partner, view)}</span>
          </li>
        );
      })}
    </ul>
  );
}
