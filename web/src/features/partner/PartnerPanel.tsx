/**
 * Link with a partner. Linked: who the partner is, and a way to unlink (the invite forms are gone:
 * a couple has one shared space). Not linked: create an invite code, or accept the partner's code.
 */
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, useSyncStatus } from '../../data/index.ts';
import { formatList } from '../../i18n/lists.ts';
import { AcceptInviteForm } from './AcceptInviteForm.tsx';
import { CreateInvite } from './CreateInvite.tsx';
import { PartnerAvailability } from '../presence/PartnerAvailability.tsx';
import { InviteByEmailForm } from './InviteByEmailForm.tsx';
import { UnlinkPartner } from './UnlinkPartner.tsx';

/** `initialCode`: the code of an invitation email's link, filled into the accept form. */
export function PartnerPanel({ initialCode }: { initialCode?: string | undefined } = {}) {
  const { t, i18n } = useTranslation();
  const me = useMe();
  const { online } = useSyncStatus();
  const [justLinked, setJustLinked] = useState<string | null>(null);
  const [unlinked, setUnlinked] = useState<string | null>(null);
  const shared = me?.spaces.find((s) => s.id === me.sharedSpaceId);
  const partners = shared?.members.filter((m) => m.userId !== me?.user.id) ?? [];
  const names = formatList(
    partners.map((p) => p.displayName),
    i18n.resolvedLanguage ?? 'en',
  );

  return (
    <div className="stack">
      {!online && <p className="notice notice--info">{t('partner.offline')}</p>}
      {partners.length > 0 ? (
        <section className="card stack" aria-labelledby="partner-card-title">
          <h2 id="partner-card-title" className="section-title">
            {t('partnerLink.yourPartner')}
          </h2>
          <p className="partner-linked">{t('partner.linked', { name: names })}</p>
          <PartnerAvailability partners={partners} />
          {justLinked && (
            <p className="form-success" role="status">
              {t('partner.accepted', { name: justLinked })}
            </p>
          )}
          <UnlinkPartner
            name={names}
            disabled={!online}
            onUnlinked={() => {
              setJustLinked(null);
              setUnlinked(names);
            }}
          />
        </section>
      ) : (
        <>
          {unlinked ? <p role="status">{t('partnerLink.unlinked', { name: unlinked })}</p> : <p>{t('partner.notLinked')}</p>}
          <CreateInvite disabled={!online} />
          <InviteByEmailForm disabled={!online} />
          <AcceptInviteForm
            disabled={!online}
            initialCode={initialCode}
            onAccepted={(name) => {
              setUnlinked(null);
              setJustLinked(name);
            }}
          />
        </>
      )}
    </div>
  );
}
